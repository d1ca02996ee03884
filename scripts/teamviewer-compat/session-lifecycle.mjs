#!/usr/bin/env node
// A script written against TeamViewer's Web API documentation ("Sessions"), as
// an integration would be: plain fetch, snake_case JSON, Bearer token. Point it
// at TeamViewer or at Lifeline by changing only TV_API_BASE and TV_API_TOKEN.
//
//   TV_API_BASE=https://lifeline.example.com/api/v1 TV_API_TOKEN=llt_… \
//   TV_GROUP_ID=g0123… TV_ASSIGNEE_ID=u0123… node session-lifecycle.mjs
//
// It creates three sessions, pages through the list with `offset`, reads,
// updates, assigns, unassigns, closes and deletes, and prints one JSON line per step.
const base = process.env.TV_API_BASE;
const token = process.env.TV_API_TOKEN;
const groupid = process.env.TV_GROUP_ID;
const assignee = process.env.TV_ASSIGNEE_ID;
if (!base || !token || !groupid || !assignee) {
  console.error('Set TV_API_BASE, TV_API_TOKEN, TV_GROUP_ID and TV_ASSIGNEE_ID.');
  process.exit(2);
}

async function call(method, path, body) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  const json = text ? JSON.parse(text) : null;
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${text}`);
  return { status: res.status, json };
}
const step = (name, result) => console.log(JSON.stringify({ step: name, ...result }));

const created = [];
for (const customer of ['Cleo Customer', 'Dan Doe', 'Eve Example']) {
  const { status, json } = await call('POST', '/sessions', {
    groupid,
    description: `Printer offline at ${customer}'s desk`,
    end_customer: { name: customer, email: `${customer.split(' ')[0].toLowerCase()}@example.com` },
    waiting_message: 'An agent will be with you shortly.',
    custom_api: JSON.stringify({ ticket: `T-${created.length + 1}` }),
  });
  created.push(json.code);
  step('create', {
    status,
    code: json.code,
    end_customer_link: json.end_customer_link,
    supporter_link: json.supporter_link,
  });
}

const seen = [];
let offset;
let pages = 0;
do {
  const query = new URLSearchParams({
    groupid,
    state: 'open',
    full_list: 'true',
    ...(offset ? { offset } : {}),
  });
  const { json } = await call('GET', `/sessions?${query}`);
  seen.push(...json.sessions.map((s) => s.code));
  offset = json.next_offset;
  pages += 1;
  step('list', {
    page: pages,
    count: json.sessions.length,
    next_offset: json.next_offset ?? null,
    sessions_remaining: json.sessions_remaining,
  });
} while (offset);
step('listed', { allCreatedSeen: created.every((c) => seen.includes(c)) });

const [first, second, third] = created;
let { json: read } = await call('GET', `/sessions/${first}`);
step('read', { code: read.code, state: read.state, custom_api: read.custom_api });

step(
  'update',
  await call('PUT', `/sessions/${first}`, {
    description: 'Printer fixed, scanner next',
    waiting_message: 'Almost there',
  }),
);
step('assign', await call('PUT', `/sessions/${first}`, { assigned_userid: assignee }));
({ json: read } = await call('GET', `/sessions/${first}`));
step('read', {
  assigned_userid: read.assigned_userid,
  assigned_at: read.assigned_at,
  description: read.description,
});
step('unassign', await call('PUT', `/sessions/${second}`, { assigned_userid: 'u0' }));
step('close', await call('PUT', `/sessions/${first}`, { state: 'closed' }));
({ json: read } = await call('GET', `/sessions/${first}`));
step('read', { state: read.state, closed_at: read.closed_at });
step('delete', await call('DELETE', `/sessions/${third}`));
