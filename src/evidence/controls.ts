/**
 * The controls an evidence pack's items evidence. The criterion texts are the AICPA's 2017 Trust Services
 * Criteria (TSP section 100, revised points of focus 2022), quoted for reference; the SOX entry names what
 * auditors of internal control over financial reporting test under PCAOB AS 2201 for logical access, since
 * SOX itself names no access-review control. docs/evidence.md says what each item shows.
 */
export interface Control {
  id: ControlId;
  framework: string;
  text: string;
  source: string;
}

export type ControlId = 'SOC2-CC6.1' | 'SOC2-CC6.2' | 'SOC2-CC6.3' | 'SOX-ITGC-UAR';

const TSC =
  'AICPA, 2017 Trust Services Criteria for Security, Availability, Processing Integrity, Confidentiality, and Privacy (TSP section 100, revised 2022)';

export const CONTROLS: readonly Control[] = [
  {
    id: 'SOC2-CC6.1',
    framework: 'SOC 2',
    text: "The entity implements logical access security software, infrastructure, and architectures over protected information assets to protect them from security events to meet the entity's objectives.",
    source: TSC,
  },
  {
    id: 'SOC2-CC6.2',
    framework: 'SOC 2',
    text: 'Prior to issuing system credentials and granting system access, the entity registers and authorizes new internal and external users whose access is administered by the entity. For those users whose access is administered by the entity, user system credentials are removed when user access is no longer authorized.',
    source: TSC,
  },
  {
    id: 'SOC2-CC6.3',
    framework: 'SOC 2',
    text: "The entity authorizes, modifies, or removes access to data, software, functions, and other protected information assets based on roles, responsibilities, or the system design and changes, giving consideration to the concepts of least privilege and segregation of duties, to meet the entity's objectives.",
    source: TSC,
  },
  {
    id: 'SOX-ITGC-UAR',
    framework: 'SOX 404 (ITGC)',
    text: 'Logical access to financially relevant systems is approved before it is granted, and reviewed periodically: the population reviewed, the reviewer and date, the exceptions found and their follow-up.',
    source:
      'Sarbanes-Oxley Act of 2002, section 404 (management assessment of internal control over financial reporting); PCAOB AS 2201 (an audit of internal control over financial reporting), IT general controls over access to programs and data',
  },
];
