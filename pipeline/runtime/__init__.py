"""What every stage runs on: the content-addressed cache, parallel jobs, the manifest."""
