// Counts checked after `ehc import --initial` (from the count store: no scan).
CALL () { MATCH (r:Resident) RETURN count(r) AS residents }
CALL () { MATCH (i:Identity) RETURN count(i) AS identities }
CALL () { MATCH (c:Card) RETURN count(c) AS cards }
CALL () { MATCH (d:Domain) RETURN count(d) AS domains }
CALL () { MATCH ()-[h:HAS_CARD]->() RETURN count(h) AS has_card }
CALL () { MATCH ()-[x:IDENTIFIED_AS]->() RETURN count(x) AS identified_as }
CALL () { MATCH ()-[y:IN_DOMAIN]->() RETURN count(y) AS in_domain }
RETURN residents, identities, cards, domains, has_card, identified_as, in_domain
