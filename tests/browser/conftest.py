"""The browser tests' fixtures (`browser`, `new_page`) live in the project's root conftest.py,
shared by every browser test of every app: one Playwright instance per test process."""
