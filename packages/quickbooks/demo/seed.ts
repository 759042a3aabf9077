import type { SimRealmApi } from '../src/testing/index';
import type { AppDatabase } from './app-database';

/**
 * The demo's starting point: a plumbing and heating business that has kept its books in QuickBooks for a while
 * (customers and price list there) and now adopts an app that syncs with it. Both the demo and the end-to-end test
 * start from here.
 */

/** Who the business is in the app (the owner of the QuickBooks connection). */
export const BUSINESS_NAME = 'Bluebird Plumbing & Heating';

/**
 * The customer that exists on both sides before the first import: QuickBooks holds the address in odd case (typed
 * in by hand years ago), the app's sign-up form got it lower-case with a stray space. Import must link the two
 * (emails compared trimmed and case-insensitively), not duplicate.
 */
export const SHARED_CUSTOMER = {
  displayName: 'Dana Harper',
  quickBooksEmail: 'Dana.Harper@Harper-Home.NET',
  appEmail: ' dana.harper@harper-home.net ',
} as const;

/** The app's own price-list entry whose SKU is also in QuickBooks (linked by SKU on import). */
export const SHARED_ITEM_SKU = 'LAB-HR';

const QUICKBOOKS_CUSTOMERS: Array<[name: string, email: string | null, city: string]> = [
  ['Marcus Chen', 'marcus.chen@chenfamily.org', 'Portland'],
  ['Priya Natarajan', 'priya.n@fastmail.com', 'Beaverton'],
  ['Elm Street Dental', 'office@elmstreetdental.com', 'Portland'],
  ['Gonzalez Bakery', 'orders@gonzalezbakery.com', 'Gresham'],
  ['Tom & Ruth Okafor', 'okafor.home@gmail.com', 'Tigard'],
  ['Riverside Apartments HOA', 'board@riverside-hoa.org', 'Portland'],
  ['Sofia Lindqvist', 'sofia.lindqvist@proton.me', 'Lake Oswego'],
  ['Hillcrest Veterinary Clinic', 'frontdesk@hillcrestvet.com', 'Milwaukie'],
  ['James Whitfield', null, 'Portland'],
  ['Nakamura Family Trust', 'trust@nakamura-law.com', 'Hillsboro'],
  ['Cedar Lane Cafe', 'hello@cedarlanecafe.com', 'Portland'],
  ['Aisha Bello', 'aisha.bello@outlook.com', 'Beaverton'],
  ['Pioneer Self Storage', 'manager@pioneerstorage.com', 'Clackamas'],
  ['Greta Hoffmann', 'greta.hoffmann@posteo.de', 'Portland'],
  ['Sunnyside Montessori', 'admin@sunnysidemontessori.org', 'Happy Valley'],
  ['Luis & Carmen Ortega', 'ortega.luis@yahoo.com', 'Gresham'],
  ['Northgate Fitness', 'facilities@northgatefit.com', 'Portland'],
  ['Ben Adeyemi', 'ben.adeyemi@icloud.com', 'Tualatin'],
  ['Maple Court Condos', 'hoa@maplecourtcondos.com', 'Portland'],
  ['Irene Kowalski', 'irene.kowalski@gmail.com', 'West Linn'],
  ['Bridgetown Brewing Co', 'ops@bridgetownbrew.com', 'Portland'],
  ['Hannah Reyes', 'hannah.reyes@hey.com', 'Sherwood'],
  ['Old Town Laundromat', null, 'Portland'],
  ['Wei & Lin Zhang', 'zhang.household@gmail.com', 'Beaverton'],
];

/** Price list: [name, SKU, unit price (decimal as QuickBooks stores it), income account id, type]. */
const QUICKBOOKS_ITEMS: Array<[string, string, number, string, 'Service' | 'NonInventory']> = [
  ['Standard service call', 'SVC-CALL', 95, '1', 'Service'],
  ['Labor (hourly)', SHARED_ITEM_SKU, 85, '1', 'Service'],
  ['Drain cleaning', 'DRN-CLN', 149, '1', 'Service'],
  ['Water heater flush', 'WH-FLUSH', 129, '1', 'Service'],
  ['Faucet cartridge (parts)', 'PRT-CART', 38.5, '79', 'NonInventory'],
  ['Sump pump inspection', 'SMP-INSP', 110, '1', 'Service'],
  ['Furnace tune-up', 'HVAC-TUNE', 139, '1', 'Service'],
  ['Leak detection', 'LK-DET', 175, '1', 'Service'],
];

/** Counts the demo prints and the test asserts. */
export const SEEDED = {
  quickBooksCustomers: QUICKBOOKS_CUSTOMERS.length + 1,
  quickBooksItems: QUICKBOOKS_ITEMS.length,
} as const;

/** Fills the simulated QuickBooks company with what the business already keeps there. */
export function seedQuickBooksCompany(realm: SimRealmApi): void {
  const customers = [
    ...QUICKBOOKS_CUSTOMERS.slice(0, 6),
    [SHARED_CUSTOMER.displayName, SHARED_CUSTOMER.quickBooksEmail, 'Portland'] as const,
    ...QUICKBOOKS_CUSTOMERS.slice(6),
  ];
  for (const [name, email, city] of customers) {
    realm.create('Customer', {
      DisplayName: name,
      ...(email ? { PrimaryEmailAddr: { Address: email } } : {}),
      BillAddr: { City: city, CountrySubDivisionCode: 'OR', Country: 'US' },
    });
  }
  for (const [name, sku, price, incomeAccountId, type] of QUICKBOOKS_ITEMS) {
    realm.create('Item', {
      Name: name,
      Sku: sku,
      Type: type,
      UnitPrice: price,
      IncomeAccountRef: { value: incomeAccountId },
    });
  }
}

/** The app's records before it is connected: a few customers and one price-list entry of its own. */
export function seedAppDatabase(db: AppDatabase): void {
  db.addCustomer({
    displayName: SHARED_CUSTOMER.displayName,
    givenName: 'Dana',
    familyName: 'Harper',
    email: SHARED_CUSTOMER.appEmail,
  });
  // A new client booked through the app; QuickBooks has never heard of them.
  db.addCustomer({
    displayName: 'Oakridge Property Management',
    companyName: 'Oakridge Property Management LLC',
    email: 'accounts@oakridge-pm.com',
    billingAddress: { line1: '410 SW Oak St', city: 'Portland', region: 'OR', country: 'US' },
  });
  db.addItem({
    name: 'Labor (hourly)',
    sku: SHARED_ITEM_SKU,
    unitPrice: { amount: 8500, currency: 'USD' },
    incomeAccount: { id: '1', name: 'Services' },
  });
}
