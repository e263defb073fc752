/**
 * Data objects the Salesforce Integration user license covers in the local org.
 *
 * Salesforce publishes no list of the objects this license supports (a real org answers it through
 * PermissionSetLicense.MaximumPermissions* and ObjectPermissions on the license); this table is the
 * seeded org's answer, documented in docs/local-org.md. Objects not listed stay closed to integration
 * users whatever their permission sets say.
 */
export const INTEGRATION_LICENSE_OBJECTS = [
  'Account',
  'Contact',
  'Opportunity',
  'Case',
  'Lead',
  'Product2',
  'Invoice__c',
  'Shipment__c',
];

export const INTEGRATION_USER_LICENSE = 'Salesforce Integration';
export const INTEGRATION_PROFILE = 'Minimum Access - API Only Integrations';
export const INTEGRATION_PSL_DEVELOPER_NAME = 'SalesforceAPIIntegrationPsl';
export const INTEGRATION_PSL_LABEL = 'Salesforce API Integration';
