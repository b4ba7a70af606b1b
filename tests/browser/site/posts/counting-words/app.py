import sys


# ANCHOR: count
def tessellate(text):
    """Cut the text into words (the name is unusual on purpose: the search test looks for it)."""
    return len(text.split())
# ANCHOR_END: count


LONG_LINE = "a line that is much longer than any phone screen is wide, so the block must scroll inside itself"


if __name__ == "__main__":
    print(tessellate(open(sys.argv[1]).read()), "words")
