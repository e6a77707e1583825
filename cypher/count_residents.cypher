// How many person records the index holds (from the count store: no scan). `ehc import --initial`
// refuses a database that is not empty.
MATCH (r:Resident)
RETURN count(r) AS residents
