from feedkb.cli import main

# Guarded: worker processes (spawned for parsing and tagging) import this module again.
if __name__ == "__main__":
    main()
