"""The territory: communes, EPCI, collèges and departmental sites of Seine-et-Marne."""
