"""Media work that runs in `flask heritage worker`: photo derivatives, audio renditions, panorama tiles."""
