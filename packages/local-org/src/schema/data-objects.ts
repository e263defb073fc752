import { bool, currency, date, double, email, lookup, picklist, ro, sobject, text, textArea, field } from './builders';
import type { SObjectDef } from './types';

/** Account.Industry's values in a new org: an open (unrestricted) standard picklist. */
const STANDARD_INDUSTRIES = [
  'Agriculture', 'Apparel', 'Banking', 'Biotechnology', 'Chemicals', 'Communications', 'Construction', 'Consulting',
  'Education', 'Electronics', 'Energy', 'Engineering', 'Entertainment', 'Environmental', 'Finance', 'Food & Beverage',
  'Government', 'Healthcare', 'Hospitality', 'Insurance', 'Machinery', 'Manufacturing', 'Media', 'Not For Profit',
  'Other', 'Recreation', 'Retail', 'Shipping', 'Technology', 'Telecommunications', 'Transportation', 'Utilities',
];

const STAGES = ['Prospecting', 'Qualification', 'Needs Analysis', 'Proposal', 'Negotiation', 'Closed Won', 'Closed Lost'];

/** Standard data objects of the seeded org, and two custom objects that an integration typically needs. */
export const dataObjects: SObjectDef[] = [
  sobject(
    'Account',
    '001',
    [
      text('Name', 255, { required: true }),
      picklist('Type', ['Prospect', 'Customer - Direct', 'Customer - Channel', 'Partner', 'Other']),
      picklist('Industry', STANDARD_INDUSTRIES, { openPicklist: true }),
      field('Phone', 'phone', { length: 40 }),
      field('Website', 'url', { length: 255 }),
      currency('AnnualRevenue'),
      text('BillingCity', 40),
      text('BillingCountry', 80),
      textArea('Description', 32000),
    ],
    { owned: true },
  ),
  sobject(
    'Contact',
    '003',
    [
      text('LastName', 80, { required: true }),
      text('FirstName', 40),
      text('Name', 121, { ...ro, permissionable: false }),
      email('Email'),
      field('Phone', 'phone', { length: 40 }),
      text('Title', 128),
      lookup('AccountId', 'Account', 'Account'),
    ],
    { owned: true },
  ),
  sobject(
    'Opportunity',
    '006',
    [
      text('Name', 120, { required: true }),
      picklist('StageName', STAGES, { required: true }),
      date('CloseDate', { required: true }),
      currency('Amount'),
      double('Probability'),
      lookup('AccountId', 'Account', 'Account'),
      textArea('Description', 32000),
    ],
    { owned: true, labelPlural: 'Opportunities' },
  ),
  sobject(
    'Case',
    '500',
    [
      text('Subject', 255),
      picklist('Status', ['New', 'Working', 'Escalated', 'Closed'], { defaultValue: 'New' }),
      picklist('Priority', ['High', 'Medium', 'Low'], { defaultValue: 'Medium' }),
      picklist('Origin', ['Phone', 'Email', 'Web']),
      lookup('AccountId', 'Account', 'Account'),
      lookup('ContactId', 'Contact', 'Contact'),
      textArea('Description', 32000),
    ],
    { owned: true },
  ),
  sobject(
    'Lead',
    '00Q',
    [
      text('LastName', 80, { required: true }),
      text('FirstName', 40),
      text('Company', 255, { required: true }),
      picklist('Status', ['Open - Not Contacted', 'Working - Contacted', 'Closed - Converted', 'Closed - Not Converted'], {
        defaultValue: 'Open - Not Contacted',
      }),
      email('Email'),
    ],
    { owned: true },
  ),
  sobject(
    'Product2',
    '01t',
    [text('Name', 255, { required: true }), text('ProductCode', 255), bool('IsActive'), textArea('Description', 4000)],
    { label: 'Product' },
  ),
  sobject(
    'Order',
    '801',
    [
      lookup('AccountId', 'Account', 'Account', { required: true }),
      date('EffectiveDate', { required: true }),
      // Whether Salesforce lets field-level security cover Status is not verified: here it does.
      picklist('Status', ['Draft', 'Activated'], { defaultValue: 'Draft' }),
      text('OrderNumber', 30, ro),
      currency('TotalAmount', ro),
      textArea('Description', 32000),
    ],
    { owned: true },
  ),
  sobject(
    'Campaign',
    '701',
    [
      text('Name', 80, { required: true }),
      picklist('Status', ['Planned', 'In Progress', 'Completed', 'Aborted']),
      bool('IsActive'),
      currency('BudgetedCost'),
    ],
    { owned: true },
  ),
  sobject(
    'Invoice__c',
    'a00',
    [
      text('Name', 80, { required: true, label: 'Invoice Number' }),
      currency('Amount__c'),
      lookup('Account__c', 'Account', 'Account__r'),
      picklist('Status__c', ['Draft', 'Sent', 'Paid', 'Void']),
      date('Due_Date__c'),
      textArea('Notes__c', 32768),
    ],
    { owned: true },
  ),
  sobject(
    'Shipment__c',
    'a01',
    [
      text('Name', 80, { required: true, label: 'Shipment Number' }),
      text('Tracking_Number__c', 40),
      picklist('Carrier__c', ['UPS', 'FedEx', 'DHL']),
      lookup('Invoice__c', 'Invoice__c', 'Invoice__r'),
    ],
    { owned: true },
  ),
];
