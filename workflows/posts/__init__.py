"""Ghost-written posts: drafted by marketing in a rep's voice, reviewed and published by the
rep."""
