// What a change leaves behind, in one statement at the end of its transaction: the audit record, the
// link-history entry when it decided an identity ($link_event, or null), and the outbox event (last).
// Same shapes as record_audit, record_link_event and emit_event (see there for the event's ordering).
CREATE (a:Audit)
SET a = $audit, a.at = datetime()
WITH a
CALL () {
  UNWIND CASE WHEN $link_event IS NULL THEN [] ELSE [$link_event] END AS link
  CREATE (x:LinkEvent)
  SET x = link, x.at = datetime()
  WITH x, link
  UNWIND link.empi_ids AS empi_id
  MATCH (i:Identity {empi_id: empi_id})
  CREATE (x)-[:ABOUT]->(i)
}
WITH a
OPTIONAL MATCH (i:Identity {empi_id: $event.empi_id})
SET i.event_count = coalesce(i.event_count, 0) + 1
CREATE (e:Event:Unsequenced {type: $event.type, empi_id: $event.empi_id, resident_id: $event.resident_id,
                              payload: $event.payload, at: datetime(), stream_seq: i.event_count,
                              written_at: datetime.realtime()})
RETURN e.stream_seq AS stream_seq
