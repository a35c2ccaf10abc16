"""Optional AI assist (issue #15): a chat-completions endpoint of the curator's choice judges
items' values and writes a one-line Chinese takeaway; answers are cached with the knowledge
base. Rules and the learned model stay the default and work without it."""
