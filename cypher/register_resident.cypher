// Online registration, the write: the record, its identity, its person-card relations (every card was
// locked, and created if new, earlier in this transaction), the SAME_AS link or the review item the
// decision asks for, its trail when $trail is given (audit, link history, event: record_trail.cypher's), and
// the record as get_resident.cypher returns it (no read transaction after).
MATCH (src:Domain {code: $props.source_domain})
CREATE (r:Resident:NameQueued)  // name search: indexed in batches (name_index_drain.cypher)
SET r = $props, r.status = 'active', r.version = 1, r.created_at = datetime(), r.updated_at = datetime()
MERGE (i:Identity {empi_id: $empi_id})
ON CREATE SET i.status = 'active', i.created_at = datetime()
CREATE (r)-[:IDENTIFIED_AS {since: datetime()}]->(i)
WITH r, i
CALL (r) {
  // one statement, one clock: each card is a nanosecond after the one before, so the record's cards keep
  // the order they were given in (its own identifier first), as when they were attached one by one
  UNWIND range(0, size($cards) - 1) AS n
  WITH r, n, $cards[n] AS card
  MATCH (c:Card {domain: card.domain, number: card.number})
  MERGE (r)-[h:HAS_CARD]->(c)
  ON CREATE SET h.rel_id = card.rel_id, h.app_domain = $app_domain,
                h.since = datetime() + duration({nanoseconds: n})
}
CALL (r) {
  WITH r WHERE $link IS NOT NULL
  MATCH (b:Resident {resident_id: $link.other_id})
  MERGE (r)-[s:SAME_AS]->(b)
  ON CREATE SET s.score = $link.score, s.method = $link.method, s.decided_by = $link.decided_by,
                s.reason = $link.reason, s.model_version = $link.model_version,
                s.explanation = $link.explanation, s.at = datetime()
}
CALL (r) {
  WITH r WHERE $review IS NOT NULL
  MATCH (a:Resident {resident_id: $review.a})
  MERGE (x:ReviewItem {pair_key: $review.pair_key})
  ON CREATE SET x.review_id = $review.review_id, x.status = 'open', x.score = $review.score,
                x.model_version = $review.model_version, x.explanation = $review.explanation,
                x.reason = $review.reason, x.created_at = datetime(), x.is_new = true
  WITH x, a, r WHERE x.is_new
  CREATE (x)-[:CANDIDATE {role: 'a'}]->(a)
  CREATE (x)-[:CANDIDATE {role: 'b'}]->(r)
  REMOVE x.is_new
}
CALL () {
  // the registration's trail, when given ($trail: as record_trail.cypher writes it, the event last);
  // else the caller writes it with record_trail after what it still has to do in the transaction
  WITH 1 AS one WHERE $trail IS NOT NULL
  CREATE (a:Audit)
  SET a = $trail.audit, a.at = datetime()
  WITH a
  CALL () {
    UNWIND CASE WHEN $trail.link_event IS NULL THEN [] ELSE [$trail.link_event] END AS link
    CREATE (x:LinkEvent)
    SET x = link, x.at = datetime()
    WITH x, link
    UNWIND link.empi_ids AS empi_id
    MATCH (about:Identity {empi_id: empi_id})
    CREATE (x)-[:ABOUT]->(about)
  }
  OPTIONAL MATCH (ei:Identity {empi_id: $trail.event.empi_id})
  SET ei.event_count = coalesce(ei.event_count, 0) + 1
  CREATE (e:Event:Unsequenced {type: $trail.event.type, empi_id: $trail.event.empi_id,
                                resident_id: $trail.event.resident_id, payload: $trail.event.payload,
                                at: datetime(), stream_seq: ei.event_count, written_at: datetime.realtime()})
}
WITH r, i
OPTIONAL MATCH (r)-[h:HAS_CARD]->(c:Card)-[:IN_DOMAIN]->(d:Domain)
WITH r, i, h, c, d ORDER BY h.since
RETURN r {.*} AS resident, i.empi_id AS empi_id,
       [x IN collect(CASE WHEN c IS NULL THEN NULL ELSE
          c {.*, domain_oid: d.oid, rel_id: h.rel_id, app_domain: h.app_domain, since: h.since} END)
        WHERE x IS NOT NULL] AS cards
