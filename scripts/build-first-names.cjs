#!/usr/bin/env node
// Regenerates apps/enricher/src/privacy/first-names.data.ts: the first names the
// pseudonymiser recognises in free text. Sources (all MIT): the person first-name
// lists of every locale of @faker-js/faker, the name lists of
// gender-detection-from-name (de, en, es, fr, it, tr) and of human-names (en, de,
// es, fr, it, nl); Latin script only. A name is marked ambiguous when its lower
// case is a common English word (Debian's wamerican list), it has two letters, or
// it is in PLACES_AND_WORDS below; it then counts as a name only beside a
// capitalised surname. Run once, by hand:
//   npm i --no-save @faker-js/faker@10 gender-detection-from-name@1.11.5 human-names@1.0.13
//   apt-get install -y wamerican wngerman wfrench wspanish wdutch witalian wportuguese wpolish wswedish wdanish wnorwegian
//   node scripts/build-first-names.cjs
const fs = require('fs');
const path = require('path');
const dir = path.dirname(require.resolve('@faker-js/faker/package.json')) + '/dist/locale';
const latin = /^[\p{Script=Latin}'’-]+$/u;
const first = new Set();
for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.cjs'))) {
  let locale;
  try { locale = require(path.join(dir, file)); } catch { continue; }
  const faker = Object.values(locale).find((v) => v && v.definitions);
  let names;
  try { names = faker && faker.definitions.person && faker.definitions.person.first_name; } catch { continue; }
  if (!names) continue;
  const list = Array.isArray(names) ? names : Object.values(names).flat();
  for (const n of list) if (typeof n === 'string' && latin.test(n) && n.length >= 2 && /^\p{Lu}/u.test(n)) first.add(n);
}
const capitalise = (n) => n.split(/([-' ’])/).map((p) => p.charAt(0).toUpperCase() + p.slice(1)).join('');
const gdfn = path.dirname(require.resolve('gender-detection-from-name/package.json')) + '/names';
for (const file of fs.readdirSync(gdfn)) {
  for (const m of fs.readFileSync(path.join(gdfn, file), 'utf8').matchAll(/\['([^']+)',/g)) if (latin.test(m[1]) && m[1].length >= 2) first.add(capitalise(m[1]));
}
const human = require('human-names');
for (const key of Object.keys(human).filter((k) => /^all/.test(k) && Array.isArray(human[k]))) for (const n of human[key]) if (typeof n === 'string' && latin.test(n) && n.length >= 2) first.add(capitalise(n.toLowerCase()));
// Common words of the languages the platform's clients write in (Debian's word lists): a name that is also one of
// them ("Will", "Merci", "Beste") is ambiguous.
// A word the English list also spells with a capital (Laura, Daniel: its proper names) is a name first, not ambiguous.
// (Polish is left out: its list holds every inflected form, names' included.)
const DICTIONARIES = ['american-english', 'ngerman', 'french', 'spanish', 'dutch', 'italian', 'portuguese', 'swedish', 'danish', 'bokmaal'];
const words = new Set();
const properNouns = new Set();
for (const dict of DICTIONARIES) {
  const file = `/usr/share/dict/${dict}`;
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: apt-get install -y wamerican wngerman wfrench wspanish wdutch witalian wportuguese wswedish wdanish wnorwegian`);
  for (const w of fs.readFileSync(file, 'utf8').split('\n')) {
    if (/^\p{Ll}/u.test(w)) words.add(w);
    if (dict === 'american-english' && /^\p{Lu}\p{Ll}+$/u.test(w)) properNouns.add(w);
  }
}
const PLACES_AND_WORDS = `Paris London Berlin Sydney Austin Florence Victoria Adelaide Charlotte Jackson Lincoln Madison Orlando Phoenix Savannah Regina Georgia Virginia Carolina Dallas Houston Denver Chester Derby Kingston Brighton Dublin Milan Roma Siena Vienna Sofia Lima Santiago Salvador Valencia Sevilla Granada Toledo Leon Lyon Nancy Orleans Troy Aurora Columbia Cleveland Jordan China India Israel Kenya America Asia Europa Africa Holland Ireland Scotland Wales Monday Tuesday Friday January February March April May June July August September October November December Christmas Easter Amazon Tesla Mercedes Porsche Ford Dell Oracle Apple Google Adobe Salesforce Hubspot Nike Zara Lidl Aldi Mars Venus Jupiter Apollo Atlas Titan Nova Delta Alpha Omega Sigma Beta Gamma Summer Winter Spring Autumn Sunny Rain Storm Sky Star Golden Silver Ruby Diamond Crystal Pearl Jade Amber Ivory Cherry Olive Hazel Honey Sugar Candy Sage Basil Pepper Ginger Rosemary Saffron Iris Lily Daisy Violet Rose Poppy Jasmine Dusty Rusty Sandy Misty Cloud River Brook Lake Forest Meadow Valley Hunter Archer Porter Mason Carter Cooper Baker Parker Tanner Taylor Miller Fisher Turner Walker Butler Chase Grant Pierce Reed Royal King Prince Duke Earl Noble Major Sterling Victor Will Bill Mark Frank Grace Hope Faith Joy Patience Charity Mercy Chance Max Rich Dean Guy Art Pat Sue Ray Rob Gene Bud Cliff Lance Wade Drew Dale Glen Heath Hugh Neil Pierre Claire Rosa Dolores Paz Luz Mar Sol Cruz Blanca Angel Angeles Consuelo Pilar Socorro Mercedes Remedios Amparo Reyes Tal Ben Bo Al Ed Jo Li Lu Ty Ma Pa Da Di De Do Le La Lo`.split(/\s+/);
const ambiguous = [...first].filter((n) => (words.has(n.toLowerCase()) && !properNouns.has(n)) || n.length <= 2).concat(PLACES_AND_WORDS);
// Names that are also words anywhere in the lists, proper nouns or not: written in lower case, these are words ("case", "journée").
const wordLike = [...first].filter((n) => words.has(n.toLowerCase()));
const out = `// Generated by scripts/build-first-names.cjs from the first-name lists of @faker-js/faker, gender-detection-from-name and human-names (all MIT). Do not edit by hand.
/** First names the pseudonymiser recognises in free text (Latin script, many locales). */
export const FIRST_NAMES: ReadonlySet<string> = new Set(${JSON.stringify([...first].sort().join('|'))}.split('|'));
/** Names that are also common words or places: names only beside a capitalised surname. */
export const AMBIGUOUS_FIRST_NAMES: ReadonlySet<string> = new Set(${JSON.stringify([...new Set(ambiguous)].sort().join('|'))}.split('|'));
/** Names that are also words in one of the word lists (proper nouns included): never taken for a name when written in lower case. */
export const WORDLIKE_FIRST_NAMES: ReadonlySet<string> = new Set(${JSON.stringify(wordLike.sort().join('|'))}.split('|'));
`;
fs.writeFileSync(path.join(__dirname, '..', 'apps/enricher/src/privacy/first-names.data.ts'), out);
console.log(`${first.size} first names, ${new Set(ambiguous).size} ambiguous`);
