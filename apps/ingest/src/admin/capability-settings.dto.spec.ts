import { BadRequestException, ValidationPipe } from '@nestjs/common';
import { CAPABILITY_CONFIGURATION, capabilitySettings } from '@app/common';
import { RegisterPortalDto } from './register-portal.dto';
import { UpdatePortalDto } from './update-portal.dto';

/** The admin API's own pipe (admin.module.ts), so these are the 400 answers an operator reads. */
const pipe = new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true });
const patch = (body: unknown) => pipe.transform(body, { type: 'body', metatype: UpdatePortalDto });
const refusal = async (body: unknown): Promise<string[]> => {
  const error = await patch(body).then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(BadRequestException);
  return ((error as BadRequestException).getResponse() as { message: string[] }).message;
};

describe("each capability's settings in POST and PATCH /admin/portals (their one definition in libs/common)", () => {
  it('takes every capability’s settings key, on registration too, and nothing else', async () => {
    expect(capabilitySettings().map((s) => s.key)).toEqual(['leadRouting', 'serviceRouting', 'managementAi']);
    for (const settings of capabilitySettings()) {
      await expect(patch({ [settings.key]: {} })).resolves.toMatchObject({ [settings.key]: {} });
      await expect(pipe.transform({ portalId: 1, name: 'n', accessToken: 't', [settings.key]: {} }, { type: 'body', metatype: RegisterPortalDto })).resolves.toMatchObject({ [settings.key]: {} });
    }
    expect(await refusal({ managementRouting: {} })).toEqual(['property managementRouting should not exist']);
  });

  it('keeps valid lead and ticket routing as sent', async () => {
    const leadRouting = { defaultOwnerId: '11', rules: [{ minScore: 80, persona: 'decision_maker', ownerId: '12' }], followUpHours: 4 };
    const serviceRouting = { defaultOwnerId: '21', rules: [{ category: 'billing_issue', minPriority: 'HIGH', teamId: '3' }], slaHours: { URGENT: 0.5, LOW: 48 } };
    await expect(patch({ leadRouting, serviceRouting })).resolves.toMatchObject({ leadRouting, serviceRouting });
  });

  it('names every problem with lead routing where it is', async () => {
    expect(await refusal({ leadRouting: 'alice' })).toEqual(['leadRouting must be an object like { "defaultOwnerId": "123", "followUpHours": 24 }']);
    expect(await refusal({ leadRouting: { defaultOwnerId: 'bob', rules: [{ persona: 'ceo', ownerId: '1' }, { minScore: 101 }], followUpHours: 0, owner: '1' } })).toEqual([
      [
        'leadRouting.defaultOwnerId must be a HubSpot owner id (digits)',
        'leadRouting.rules[0].persona must be one of decision_maker, influencer, practitioner, researcher, unknown',
        'leadRouting.rules[1].minScore must be a whole number from 0 to 100',
        'leadRouting.rules[1].ownerId is required (it must be a HubSpot owner id (digits))',
        'leadRouting.followUpHours must be a whole number of hours from 1 to 720',
        'leadRouting has no setting owner (settings: defaultOwnerId, rules, followUpHours)',
      ].join('; '),
    ]);
  });

  it('names every problem with ticket routing where it is', async () => {
    expect(await refusal({ serviceRouting: { rules: [{ category: 'refunds', minPriority: 'CRITICAL', ownerId: 'x', teamId: 'support' }], slaHours: { HIGH: 0, CRITICAL: 1 } } })).toEqual([
      [
        'serviceRouting.rules[0].category must be one of billing_issue, technical_issue, product_question, feature_request, account_access, cancellation, other',
        'serviceRouting.rules[0].minPriority must be one of LOW, MEDIUM, HIGH, URGENT',
        'serviceRouting.rules[0].ownerId must be a HubSpot owner id (digits)',
        'serviceRouting.rules[0].teamId must be a HubSpot team id (digits)',
        'serviceRouting.slaHours.HIGH must be a number of hours from 0.25 to 720',
        'serviceRouting.slaHours has no setting CRITICAL (settings: URGENT, HIGH, MEDIUM, LOW)',
      ].join('; '),
    ]);
    expect(await refusal({ serviceRouting: { rules: Array.from({ length: 51 }, () => ({})) } })).toEqual(['serviceRouting.rules must have at most 50 entries']);
  });

  it('takes prompt pins to the versions the capabilities have, and names the others', async () => {
    await expect(patch({ promptVersions: { 'lead-scoring': 1, 'ticket-triage': 2 } })).resolves.toMatchObject({ promptVersions: { 'lead-scoring': 1, 'ticket-triage': 2 } });
    for (const wrong of [{ 'lead-scoring': 'latest' }, { 'lead-scoring': 0 }, ['lead-scoring'], 1]) {
      expect(await refusal({ promptVersions: wrong })).toEqual(['promptVersions must map prompt ids to versions, like { "lead-scoring": 1 }']);
    }
    const latest = CAPABILITY_CONFIGURATION['lead-ai'].prompts.versions.at(-1)!;
    expect(await refusal({ promptVersions: { 'lead-scoring': latest + 1, 'lead-scorng': 1 } })).toEqual([
      `promptVersions pins lead-scoring@${latest + 1}, which does not exist (versions: 1, 2, 3, 4, 5); promptVersions names no prompt "lead-scorng" (prompts: lead-scoring, ticket-triage, deal-health)`,
    ]);
  });
});
