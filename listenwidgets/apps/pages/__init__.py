"""One module per chapter page; each defines ``build(*, sandboxed) -> Page``."""
