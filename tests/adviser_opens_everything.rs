//! The key holder opens everything (issue 5): placeholder while the story is written.
