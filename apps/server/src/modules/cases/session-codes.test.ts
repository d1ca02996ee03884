import { expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/harness.js';
import { cryptoRandom, type Random } from '../../lib/random.js';

/** Deals out the given digit strings first, then random ones: forces collisions on purpose. */
class ScriptedRandom implements Random {
  queue: string[] = [];
  token = cryptoRandom.token;
  digits8 = () => this.queue.shift() ?? cryptoRandom.digits8();
}
const scripted = new ScriptedRandom();

describeEachDatabase(
  'session codes',
  (t) => {
    it('are unique under 200 concurrent creations', async () => {
      const org = await t.newOrg();
      const api = await t.tokenClient(org.admin);
      const created = await Promise.all(
        Array.from({ length: 200 }, (_, i) => api.cases.create({ name: `c${i}` })),
      );
      const codes = created.map((c) => c.code);
      expect(new Set(codes).size).toBe(200);
      for (const code of codes) expect(code).toMatch(/^s\d{2}-\d{3}-\d{3}$/);
      expect(new Set(created.map((c) => c.links.customer)).size).toBe(200);
    });

    it('stay unique when concurrent requests draw the same digits', async () => {
      const org = await t.newOrg();
      scripted.queue = Array.from({ length: 20 }, () => '12345678');
      const created = await Promise.all(
        Array.from({ length: 10 }, (_, i) => org.admin.cases.create({ name: `c${i}` })),
      );
      const codes = created.map((c) => c.code);
      expect(new Set(codes).size).toBe(10);
      expect(codes.filter((c) => c === 's12-345-678')).toHaveLength(1);
    });

    it('are never reused, not even after the case was deleted', async () => {
      const org = await t.newOrg();
      scripted.queue = ['87654321'];
      const first = await org.admin.cases.create({ name: 'first' });
      expect(first.code).toBe('s87-654-321');
      await org.admin.cases.delete(first.code);

      scripted.queue = ['87654321', '87654321', '11112222'];
      const second = await org.admin.cases.create({ name: 'second' });
      expect(second.code).toBe('s11-112-222');
    });
  },
  { random: scripted },
);
