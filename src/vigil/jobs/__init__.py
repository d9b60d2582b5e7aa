"""The job-queue interface and its backends; knows nothing of scans."""
