// Records by province (first two digits of the region code, else of the ID number).
MATCH (r:Resident)
WITH coalesce(substring(r.region_code, 0, 2), substring(r.id_number, 0, 2), 'unknown') AS province
RETURN province, count(*) AS records
ORDER BY province
