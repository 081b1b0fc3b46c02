"""Reading the files a team imports, and writing files safely."""
