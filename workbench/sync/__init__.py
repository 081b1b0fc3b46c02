"""The team sync's protocol and the team server's side."""
