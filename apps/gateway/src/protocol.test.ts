import { parseClientFrame } from './protocol';

it('parses the frames of ARCHITECTURE §12', () => {
  expect(parseClientFrame('{"type":"subscribe","topic":"ticket:12","after":3}')).toEqual({
    ok: true,
    frame: { type: 'subscribe', topic: { kind: 'ticket', ticketId: 12, name: 'ticket:12' }, after: 3 },
  });
  expect(parseClientFrame('{"type":"subscribe","topic":"queue"}')).toMatchObject({ ok: true });
  expect(parseClientFrame('{"type":"typing","ticketId":5}')).toMatchObject({ ok: true });
});

it('names the bad field and never throws', () => {
  expect(parseClientFrame('nope')).toEqual({ ok: false, message: 'frame is not JSON' });
  expect(parseClientFrame('{"type":"subscribe","topic":"ticket:0"}')).toMatchObject({
    ok: false,
    field: 'topic',
  });
  expect(parseClientFrame('{"type":"typing","ticketId":"x"}')).toMatchObject({
    ok: false,
    field: 'ticketId',
  });
  expect(parseClientFrame('{"type":"zap"}')).toMatchObject({ ok: false, field: 'type' });
  expect(parseClientFrame('null')).toMatchObject({ ok: false });
  expect(parseClientFrame('[]')).toMatchObject({ ok: false });
});
