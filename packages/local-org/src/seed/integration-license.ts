/**
 * Data objects the Salesforce Integration user license covers in the local org.
 *
 * Salesforce publishes no list of the objects this license supports (a real org answers it through
 * PermissionSetLicense.MaximumPermissions* and ObjectPermissions on the license); this table is the
 * seeded org's answer, documented in docs/local-org.md. Salesforce Help says the Salesforce API Integration
 * permission-set license gives many of the object permissions of the Standard System Administrator
 * profile, which in an Enterprise Edition org include the standard Sales objects such as Order. Objects not listed stay closed to integration
 * users whatever their permission sets say.
 */
export const INTEGRATION_LICENSE_OBJECTS = [
  'Account',
  'Contact',
  'Opportunity',
  'Case',
  'Lead',
  'Product2',
  'Order',
  'Invoice__c',
  'Shipment__c',
];

export const INTEGRATION_USER_LICENSE = 'Salesforce Integration';
export const INTEGRATION_PROFILE = 'Minimum Access - API Only Integrations';
export const INTEGRATION_PSL_DEVELOPER_NAME = 'SalesforceAPIIntegrationPsl';
export const INTEGRATION_PSL_LABEL = 'Salesforce API Integration';
