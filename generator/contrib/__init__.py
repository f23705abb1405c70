"""Working with contributors on GitHub: annotations and job summaries for pull requests
(`validate --format github`, `pr-report`) and paper suggestions from issue forms (`suggestion`)."""
