"""The Département's side of the aid teleservice: instruction, Commission, budget, payments."""
