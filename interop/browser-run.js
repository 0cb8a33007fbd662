// Shared driver of the Chromium checks (browser-client.js, chat-browser.js):
// launches Debian's chromium through playwright-core, runs every case at
// once with runCase(browser, c), and prints "N passed, M failed" from the
// cases' counters. A browser that does not launch is a failure, never a
// skip. Exits 0 only when everything passed, 1 otherwise or after
// overallTimeout ms.
'use strict';

const { chromium } = require('playwright-core');

function firstLine(err) {
  return String(err && err.message || err).split('\n')[0];
}

async function launchAndRun(cases, runCase) {
  let browser;
  try {
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
      headless: true,
    });
  } catch (err) {
    console.log(`FAIL launch chromium: ${firstLine(err)}`);
    return false;
  }
  try {
    await Promise.all(cases.map((c) => runCase(browser, c)));
  } finally {
    await browser.close();
  }
  return true;
}

function runCases(cases, runCase, overallTimeout) {
  const overall = setTimeout(() => {
    console.log(`FAIL overall: not done within ${overallTimeout} ms`);
    process.exit(1);
  }, overallTimeout);
  launchAndRun(cases, runCase)
    .catch((err) => {
      console.log(`FAIL driver: ${err && err.stack || err}`);
      return false;
    })
    .then((launched) => {
      clearTimeout(overall);
      const passed = cases.reduce((n, c) => n + c.passed, 0);
      const failed = cases.reduce((n, c) => n + c.failed, 0) + (launched ? 0 : 1);
      console.log(`${passed} passed, ${failed} failed`);
      process.exit(failed === 0 ? 0 : 1);
    });
}

module.exports = { runCases, firstLine };
