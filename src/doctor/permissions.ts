/**
 * The user permissions onramp's own admin user needs, each with the calls that need it. One list for
 * `onramp doctor` (which checks the running user's effective permissions against it) and for the
 * permission set shipped as deployable metadata (deploy/salesforce; test/doctor checks the file is this
 * list rendered). Names are the PermissionSet metadata's `userPermissions` names; the API field is
 * `Permissions<name>`. Labels as Setup shows them.
 */
export interface RequiredPermission {
  name: string;
  label: string;
  why: string;
  /** What onramp does without it; absent: onramp cannot do its work without it. */
  fallback?: string;
}

export const REQUIRED_PERMISSIONS: readonly RequiredPermission[] = [
  {
    name: 'ApiEnabled',
    label: 'API Enabled',
    why: 'every call onramp makes is an API call (REST, SOAP, Metadata API)',
  },
  {
    name: 'ViewSetup',
    label: 'View Setup and Configuration',
    why: 'reads PermissionSet, ObjectPermissions, FieldPermissions, SetupEntityAccess, ConnectedApplication, the licences and /limits',
  },
  {
    name: 'ManageUsers',
    label: 'Manage Users',
    why: "creates, deactivates and freezes integration users, reads their LoginHistory (proof of the first sign-in) and other users' OAuth tokens",
  },
  {
    name: 'ManageInternalUsers',
    label: 'Manage Internal Users',
    why: 'creates and edits internal (Salesforce Integration) users',
  },
  {
    name: 'AssignPermissionSets',
    label: 'Assign Permission Sets',
    why: 'assigns and removes the integration permission set and the Salesforce API Integration permission set licence',
  },
  {
    name: 'ManageProfilesPermissionsets',
    label: 'Manage Profiles and Permission Sets',
    why: "creates, changes and deletes each integration's permission set with its object and field permissions",
  },
  {
    name: 'CustomizeApplication',
    label: 'Customize Application',
    why: 'creates and changes Connected Apps and External Client Apps, and sees every OAuth token so it can revoke them',
  },
  {
    name: 'ModifyMetadata',
    label: 'Modify Metadata Through Metadata API Functions',
    why: "deploys, reads and deletes the apps' metadata",
  },
  {
    name: 'ManageRemoteAccess',
    label: 'Manage Connected Apps',
    why: 'creates and edits Connected Apps (with Customize Application, instead of Modify All Data)',
  },
  {
    name: 'ExternalClientAppDeveloper',
    label: 'Create, edit, and delete External Client Apps',
    why: "creates, edits and deletes External Client Apps (onramp's default app kind)",
  },
  {
    name: 'ExternalClientAppAdmin',
    label: 'View all External Client Apps, view their settings, and edit their policies',
    why: "sets each External Client App's OAuth policies (pre-authorized permission set, IP relaxation, token policy)",
  },
  {
    name: 'ViewClientSecret',
    label: 'View External Client App Consumer Secrets in Metadata',
    why: "puts the consumer secret of a client-credentials app into the app's metadata",
    fallback:
      'client-credentials specs cannot be onboarded; JWT bearer (a certificate, no consumer secret) works without it',
  },
];

/**
 * Permissions Setup requires alongside the ones above (its "Requires these permissions" rules): a
 * permission set that lacks them does not deploy. They are in the shipped permission set for that reason;
 * onramp's calls do not need them.
 */
export const REQUIRED_ALONGSIDE: Readonly<Record<string, readonly string[]>> = {
  ManageUsers: [
    'ResetPasswords',
    'ViewAllUsers',
    'FreezeUsers',
    'ManageProfilesPermissionsets',
    'AssignPermissionSets',
    'ManageRoles',
    'ManageIpAddresses',
    'ManageSharing',
    'MonitorLoginHistory',
    'ViewSetup',
    'ManageInternalUsers',
    'ManagePasswordPolicies',
    'ManageLoginAccessPolicies',
    'DelegatedTwoFactor',
  ],
  CustomizeApplication: ['ViewSetup', 'ManageCustomPermissions'],
  ModifyMetadata: ['ViewSetup'],
  ExternalClientAppDeveloper: ['ExternalClientAppAdmin'],
  ExternalClientAppAdmin: ['ExternalClientAppViewer'],
};

/** Every permission the shipped permission set enables: the required ones and what Setup requires with them. */
export function permissionSetPermissions(): string[] {
  const names = new Set(REQUIRED_PERMISSIONS.map((p) => p.name));
  for (const name of [...names]) for (const alongside of REQUIRED_ALONGSIDE[name] ?? []) names.add(alongside);
  return [...names].sort();
}

export const PERMISSION_SET_NAME = 'Onramp_Admin';

/** The permission set's metadata file, as Salesforce retrieves one: permissions in alphabetical order. */
export function permissionSetXml(): string {
  const permissions = permissionSetPermissions()
    .map(
      (name) =>
        `    <userPermissions>\n        <enabled>true</enabled>\n        <name>${name}</name>\n    </userPermissions>\n`,
    )
    .join('');
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    '<PermissionSet xmlns="http://soap.sforce.com/2006/04/metadata">\n' +
    '    <description>What onramp&apos;s own admin user needs, and nothing else (docs/real-org.md).</description>\n' +
    '    <hasActivationRequired>false</hasActivationRequired>\n' +
    '    <label>Onramp Admin</label>\n' +
    permissions +
    '</PermissionSet>\n'
  );
}
