"""The pages of docs/ that are generated from the library's data and the code: the catalogue and the authoring guides."""
