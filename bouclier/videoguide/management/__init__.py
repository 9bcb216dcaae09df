"""Management commands of the video-protection guide."""
