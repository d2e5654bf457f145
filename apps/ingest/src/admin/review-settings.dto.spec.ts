import { BadRequestException, ValidationPipe } from '@nestjs/common';
import { UpdatePortalDto } from './update-portal.dto';

/** The admin API's own pipe (admin.module.ts), so these are the 400 answers an operator reads. */
const pipe = new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true });
const patch = (body: unknown) => pipe.transform(body, { type: 'body', metatype: UpdatePortalDto });
const refusal = async (body: unknown): Promise<string[]> => {
  const error = await patch(body).then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(BadRequestException);
  return ((error as BadRequestException).getResponse() as { message: string[] }).message;
};

describe('settings.review in POST and PATCH /admin/portals', () => {
  it('takes a local time and an IANA zone, each optional', async () => {
    await expect(patch({ review: { dailyAt: '07:30', timeZone: 'Europe/Berlin' } })).resolves.toMatchObject({ review: { dailyAt: '07:30', timeZone: 'Europe/Berlin' } });
    await expect(patch({ review: { timeZone: 'US/Eastern' } })).resolves.toMatchObject({ review: { timeZone: 'US/Eastern' } });
    await expect(patch({ review: { dailyAt: '00:00' } })).resolves.toMatchObject({ review: { dailyAt: '00:00' } });
    await expect(patch({ review: {} })).resolves.toMatchObject({ review: {} });
  });

  it('names a bad time', async () => {
    for (const dailyAt of ['24:00', '7:30', '07:60', 'noon', 730]) {
      expect(await refusal({ review: { dailyAt } })).toEqual([expect.stringMatching(/^review\.dailyAt must be HH:MM \(00:00 to 23:59\)/)]);
    }
  });

  it('names a time zone the server does not know', async () => {
    expect(await refusal({ review: { timeZone: 'Europe/Berlinn' } })).toEqual(['review.timeZone "Europe/Berlinn" is not a time zone this server knows: use an IANA name like "Europe/Berlin" or "US/Eastern"']);
    expect(await refusal({ review: { timeZone: '+01:00' } })).toEqual([expect.stringContaining('review.timeZone "+01:00" is not a time zone')]);
    expect(await refusal({ review: { timeZone: 5 } })).toEqual([expect.stringContaining('review.timeZone 5 is not a time zone')]);
  });

  it('takes the days after which a quiet deal needs attention, and names a bad one', async () => {
    await expect(patch({ review: { staleAfterDays: 21 } })).resolves.toMatchObject({ review: { staleAfterDays: 21 } });
    for (const staleAfterDays of [0, 366, 7.5, '14']) {
      expect(await refusal({ review: { staleAfterDays } })).toEqual([expect.stringMatching(/^review\.staleAfterDays must be a whole number of days from 1 to 365 \(default 14\)$/)]);
    }
  });

  it('refuses what is not an object, and keys it does not know', async () => {
    expect(await refusal({ review: '08:00' })).toEqual(expect.arrayContaining(['review must be an object like { "dailyAt": "07:30", "timeZone": "Europe/Berlin" }']));
    expect(await refusal({ review: { at: '08:00' } })).toEqual([expect.stringContaining('review.property at should not exist')]);
  });
});
