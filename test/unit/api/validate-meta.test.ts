// Object metadata: names, labels and annotations (validateObjectMeta and its helpers), plus the
// reserved namespace label on (Global)NetworkSets.
import {doc, many, one, runCases, type Case} from './helpers.js'

const SUBDOMAIN_RE = '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*'
const NAME_MSG = `name must consist of lower case alphanumeric characters, '-' or '.' (regex: ${SUBDOMAIN_RE})`
const KEY_NAME_MSG =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
const VALUE_MSG =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
const PREFIX_MSG = `prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '${SUBDOMAIN_RE}')`

const gns = (metadata: Record<string, unknown>): Record<string, unknown> => doc('GlobalNetworkSet', {nets: ['10.0.0.0/8']}, metadata)
const longValue = 'v'.repeat(64)
const bigAnnotation = 'x'.repeat(256 * 1024)

const cases: Case[] = [
  {name: 'dotted subdomain name', doc: gns({name: 'a.b-c.d'}), want: 'valid'},
  {name: 'name with an underscore', doc: gns({name: 'bad_name'}), want: one('Metadata.Name', 'bad_name', NAME_MSG)},
  {name: 'name starting with a dash', doc: gns({name: '-abc'}), want: one('Metadata.Name', '-abc', NAME_MSG)},
  {name: 'empty name', doc: gns({name: ''}), want: one('Metadata.Name', '', NAME_MSG)},
  {name: 'name too long', doc: gns({name: 'a'.repeat(254)}), want: one('Metadata.Name', 'a'.repeat(254), 'name is too long by 1 bytes')},
  {name: 'YAML number as a name becomes a string', doc: gns({name: 42}), want: 'valid'},
  {name: 'good labels', doc: gns({labels: {'example.com/app': 'web', tier: '', 'a_b.c-d': 'X_1'}}), want: 'valid'},
  {name: 'label key with a space', doc: gns({labels: {'bad key': 'v'}}), want: one('Metadata.Labels (label)', 'bad key', KEY_NAME_MSG)},
  {name: 'label value too long', doc: gns({labels: {k: longValue}}), want: one('Metadata.Labels (value)', longValue, 'must be no more than 63 bytes')},
  {name: 'label value with a slash', doc: gns({labels: {k: 'a/b'}}), want: one('Metadata.Labels (value)', 'a/b', VALUE_MSG)},
  {name: 'label prefix not a subdomain', doc: gns({labels: {'Example.com/x': 'v'}}), want: one('Metadata.Labels (label)', 'Example.com/x', PREFIX_MSG)},
  {name: 'empty label prefix', doc: gns({labels: {'/x': 'v'}}), want: one('Metadata.Labels (label)', '/x', 'prefix part must be non-empty')},
  {
    name: 'label key with two slashes',
    doc: gns({labels: {'a/b/c': 'v'}}),
    want: one(
      'Metadata.Labels (label)',
      'a/b/c',
      "a valid label key must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    ),
  },
  {
    name: 'several label problems are listed in key order',
    doc: gns({labels: {'z z': 'ok', 'a a': 'b/c'}}),
    want: many(
      ['Metadata.Labels (label)', 'a a', KEY_NAME_MSG],
      ['Metadata.Labels (value)', 'b/c', VALUE_MSG],
      ['Metadata.Labels (label)', 'z z', KEY_NAME_MSG],
    ),
  },
  {name: 'annotation keys are checked lower-cased', doc: gns({annotations: {'Example.COM/Key': 'anything at all'}}), want: 'valid'},
  {name: 'bad annotation key', doc: gns({annotations: {'bad key': 'v'}}), want: one('Metadata.Annotations (key)', 'bad key', KEY_NAME_MSG)},
  {
    name: 'annotations over 256 KiB',
    doc: gns({annotations: {a: bigAnnotation}}),
    want: one('Metadata.Annotations (key)', `map[a:${bigAnnotation}]`, 'total size of annotations is too large by 1 bytes'),
  },
  {
    name: 'GlobalNetworkSet may not use the namespace label',
    doc: gns({labels: {'projectcalico.org/namespace': 'default'}}),
    want: one('Metadata.Labels (label)', 'projectcalico.org/namespace', 'projectcalico.org/namespace is not a valid label name'),
  },
  {
    name: 'NetworkSet may not use the namespace label',
    doc: doc('NetworkSet', {nets: ['10.0.0.0/8']}, {labels: {'projectcalico.org/namespace': 'x'}}),
    want: one('Metadata.Labels (label)', 'projectcalico.org/namespace', 'projectcalico.org/namespace is not a valid label name'),
  },
  {name: 'other kinds may', doc: doc('HostEndpoint', {node: 'n1', interfaceName: 'eth0'}, {labels: {'projectcalico.org/namespace': 'x'}}), want: 'valid'},
]

runCases('metadata', cases)
