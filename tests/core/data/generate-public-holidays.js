// Writes public-holidays-2024-2030.csv: the state-wide public holidays of all 16 German states, 2024-2030, from
// the npm package date-holidays (its data cites each state's Feiertagsgesetz), cross-checked with feiertagejs.
// campusdesk's own rules (core/german_holidays.cpp) are tested against the file; it is generated once and
// committed, so the tests need no network. To refresh (e.g. a state adds a holiday):
//   cd "$(mktemp -d)" && npm init -y >/dev/null && npm install date-holidays@3.37.0 feiertagejs@1.5.1
//   node /path/to/tests/core/data/generate-public-holidays.js > /path/to/tests/core/data/public-holidays-2024-2030.csv
// Any disagreement between the two libraries is printed to stderr and must be settled by the state's law before
// the file is committed (known: feiertagejs lists Mariä Himmelfahrt for all of Bavaria, where it is a holiday
// only in municipalities with a Catholic majority, and lacks Berlin's one-off days). The test settles one more by
// the law: Hesse's Ostersonntag and Pfingstsonntag (§ 1 HFeiertagsG), which date-holidays leaves out.
const Holidays = require('date-holidays');
const feiertage = require('feiertagejs');
const states = ['BW', 'BY', 'BE', 'BB', 'HB', 'HH', 'HE', 'MV', 'NI', 'NW', 'RP', 'SL', 'SN', 'ST', 'SH', 'TH'];
const iso = (d) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;

console.log('state,date,name');
for (const state of states) {
  const hd = new Holidays('DE', state);
  for (let year = 2024; year <= 2030; year++) {
    const ours = hd.getHolidays(year).filter((h) => h.type === 'public').map((h) => [h.date.slice(0, 10), h.name]);
    const theirs = new Set(feiertage.getHolidays(year, state).map((h) => iso(h.date)));
    for (const [date, name] of ours) {
      console.log(`${state},${date},${name}`);
      if (!theirs.has(date)) console.error(`only date-holidays: ${state} ${date} ${name}`);
    }
    for (const date of theirs)
      if (!ours.some(([d]) => d === date)) console.error(`only feiertagejs: ${state} ${date}`);
  }
}
