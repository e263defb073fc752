/**
 * The External Client App metadata types, their deploy folders and file suffixes, as the Metadata API
 * Developer Guide names them (meta_externalclientapplication.htm: "have the suffix .eca and are stored in
 * the externalClientApps folder"; meta_extlclntappoauthsettings.htm: ".ecaOauth ... extlClntAppOauthSettings";
 * meta_extlclntappglobaloauthsettings.htm: ".ecaGlblOauth ... extlClntAppGlobalOauthSets";
 * meta_extlclntappoauthconfigurablepolicies.htm: ".ecaOauthPlcy ... extlClntAppOauthPolicies"; sfdx-hardis
 * `ECA_SATELLITE_META` adds ExtlClntAppConfigurablePolicies ".ecaPlcy ... extlClntAppPolicies"). The
 * satellites name their app in `externalClientApplication`; their own member names are free.
 */
export const ECA_HEADER = 'ExternalClientApplication';
export const ECA_OAUTH_SETTINGS = 'ExtlClntAppOauthSettings';
export const ECA_GLOBAL_OAUTH = 'ExtlClntAppGlobalOauthSettings';
export const ECA_OAUTH_POLICIES = 'ExtlClntAppOauthConfigurablePolicies';
export const ECA_POLICIES = 'ExtlClntAppConfigurablePolicies';

export const ECA_TYPES: Record<string, { folder: string; suffix: string; idPrefix: string }> = {
  // Id prefixes of the satellites are not documented; 0xI for the header appears in public clients' fixtures.
  [ECA_HEADER]: { folder: 'externalClientApps', suffix: 'eca', idPrefix: '0xI' },
  [ECA_OAUTH_SETTINGS]: { folder: 'extlClntAppOauthSettings', suffix: 'ecaOauth', idPrefix: '0xA' },
  [ECA_GLOBAL_OAUTH]: { folder: 'extlClntAppGlobalOauthSets', suffix: 'ecaGlblOauth', idPrefix: '0xB' },
  [ECA_OAUTH_POLICIES]: { folder: 'extlClntAppOauthPolicies', suffix: 'ecaOauthPlcy', idPrefix: '0xC' },
  [ECA_POLICIES]: { folder: 'extlClntAppPolicies', suffix: 'ecaPlcy', idPrefix: '0xD' },
};

export const CONNECTED_APP_FILE = { folder: 'connectedApps', suffix: 'connectedApp' };

export const isEcaType = (type: string) => type in ECA_TYPES;

/** Field order of each type as the docs list them (alphabetical), so reads come back stable. */
export const ECA_FIELD_ORDER: Record<string, string[]> = {
  [ECA_HEADER]: [
    'fullName',
    'contactEmail',
    'contactPhone',
    'description',
    'distributionState',
    'iconUrl',
    'infoUrl',
    'isProtected',
    'label',
    'logoUrl',
    'orgScopedExternalApp',
  ],
  [ECA_OAUTH_SETTINGS]: [
    'fullName',
    'commaSeparatedOauthScopes',
    'customAttributes',
    'externalClientApplication',
    'label',
    'oauthLink',
    'singleLogoutUrl',
    'trustedIpRanges',
  ],
  [ECA_GLOBAL_OAUTH]: [
    'fullName',
    'callbackUrl',
    'certificate',
    'consumerKey',
    'consumerSecret',
    'externalClientApplication',
    'idTokenConfig',
    'isClientCredentialsFlowEnabled',
    'isConsumerSecretOptional',
    'isIntrospectAllTokens',
    'isNamedUserJwtEnabled',
    'isPkceRequired',
    'isSecretRequiredForRefreshToken',
    'label',
    'shouldRotateConsumerKey',
    'shouldRotateConsumerSecret',
  ],
  [ECA_OAUTH_POLICIES]: [
    'fullName',
    'apexHandler',
    'clientCredentialsFlowUser',
    'commaSeparatedCustomScopes',
    'commaSeparatedPermissionSet',
    'commaSeparatedProfile',
    'customAttributes',
    'externalClientApplication',
    'ipRelaxationPolicyType',
    'isClientCredentialsFlowEnabled',
    'isTokenExchangeFlowEnabled',
    'label',
    'permittedUsersPolicyType',
    'policyAction',
    'refreshTokenPolicyType',
    'refreshTokenValidityPeriod',
    'refreshTokenValidityUnit',
    'requiredSessionLevel',
    'sessionTimeoutInMinutes',
    'singleLogoutUrl',
    'startUrl',
  ],
  [ECA_POLICIES]: ['fullName', 'externalClientApplication', 'isEnabled', 'isOauthPluginEnabled', 'label'],
};
