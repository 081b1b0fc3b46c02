"""The domain's rules: pure Python, no SQL, no files, no Qt."""
