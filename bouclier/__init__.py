"""Bouclier: the platform of Seine-et-Marne's "Bouclier de sécurité" programme."""
