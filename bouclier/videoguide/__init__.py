"""The video-protection project guide: a public assistant that designs, checks and funds."""
