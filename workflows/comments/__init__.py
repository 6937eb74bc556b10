"""Discussion on work in progress: comments on asset revisions, threaded one level."""
