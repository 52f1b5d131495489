"""Review: the services that change a site (who may, from which version, into which state) and
the revisions that keep every change. See /work/wt/notes/editing-api.md for the contract."""
