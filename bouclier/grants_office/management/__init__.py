"""Management commands of the Département's side of the aids."""
