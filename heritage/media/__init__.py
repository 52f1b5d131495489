"""Media: stored files as rows, their bytes behind one storage interface, photos and their derivatives.

Services take the session and a `Storage`; they flush, the request or command commits.
"""
