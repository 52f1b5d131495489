"""Review: the services that change a site (who may, from which version, into which state) and
the revisions that keep every change. `editing` changes, `history` reads, `rules` decides."""
