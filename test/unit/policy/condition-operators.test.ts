import { describe, expect, it } from 'vitest';
import type { ContextInput } from '../../../src/policy/index.js';
import { conditionHolds } from './policy-test-helpers.js';

type Row = readonly [rule: string, operator: string, key: string, values: unknown, context: ContextInput, expected: boolean];

const K = 'test:key';
const c = (value: ContextInput[string]): ContextInput => ({ [K]: value });
const none: ContextInput = {};

const STRING: Row[] = [
  ['StringEquals matches an equal value', 'StringEquals', K, 'red', c('red'), true],
  ['StringEquals is case-sensitive on values', 'StringEquals', K, 'Red', c('red'), false],
  ['StringEquals ORs several policy values', 'StringEquals', K, ['blue', 'red'], c('red'), true],
  ['StringEquals is false on a missing key', 'StringEquals', K, 'red', none, false],
  ['StringEquals treats * literally', 'StringEquals', K, 'home/*', c('home/alice'), false],
  ['StringEquals matches a literal *', 'StringEquals', K, 'home/*', c('home/*'), true],
  ['StringEquals matches an empty-string context value when the policy wants ""', 'StringEquals', K, '', c(''), true],
  ['StringEquals compares booleans as "true"/"false" text', 'StringEquals', K, 'true', c(true), true],
  ['StringEquals compares numbers as decimal text', 'StringEquals', K, 42, c(42), true],
  ['StringNotEquals is true for a different value', 'StringNotEquals', K, 'red', c('blue'), true],
  ['StringNotEquals is false for an equal value', 'StringNotEquals', K, 'red', c('red'), false],
  ['StringNotEquals NORs its values (value 3 vs [1,2] matches)', 'StringNotEquals', K, ['1', '2'], c('3'), true],
  ['StringNotEquals NORs its values (value 1 vs [1,2] does not)', 'StringNotEquals', K, ['1', '2'], c('1'), false],
  ['StringNotEquals is true on a missing key', 'StringNotEquals', K, 'red', none, true],
  ['StringEqualsIgnoreCase ignores case', 'StringEqualsIgnoreCase', K, 'RED', c('red'), true],
  ['StringEqualsIgnoreCase still needs equal text', 'StringEqualsIgnoreCase', K, 'RED', c('reds'), false],
  ['StringNotEqualsIgnoreCase is false for a value equal up to case', 'StringNotEqualsIgnoreCase', K, 'RED', c('red'), false],
  ['StringNotEqualsIgnoreCase is true on a missing key', 'StringNotEqualsIgnoreCase', K, 'RED', none, true],
  ['StringLike * spans any characters including /', 'StringLike', K, 'home/*', c('home/alice/docs'), true],
  ['StringLike ? matches exactly one character', 'StringLike', K, 'v?', c('v1'), true],
  ['StringLike ? does not match two characters', 'StringLike', K, 'v?', c('v12'), false],
  ['StringLike ? does not match zero characters', 'StringLike', K, 'v?', c('v'), false],
  ['StringLike is case-sensitive', 'StringLike', K, 'Home/*', c('home/x'), false],
  ['StringLike * in the middle', 'StringLike', K, 'a*c*e', c('abcde'), true],
  ['StringLike backtracks over repeated text', 'StringLike', K, '*ab*ab', c('xabyabab'), true],
  ['StringLike is false on a missing key', 'StringLike', K, '*', none, false],
  ['StringLike * matches the empty string', 'StringLike', K, '*', c(''), true],
  ['StringNotLike is true when no pattern matches', 'StringNotLike', K, ['a*', 'b*'], c('cat'), true],
  ['StringNotLike is false when any pattern matches', 'StringNotLike', K, ['a*', 'b*'], c('bat'), false],
  ['StringNotLike is true on a missing key', 'StringNotLike', K, 'a*', none, true],
  ['operator names are accepted in any case', 'stringequals', K, 'red', c('red'), true],
];

const NUMERIC: Row[] = [
  ['NumericEquals: 1.0 equals 1', 'NumericEquals', K, '1.0', c('1'), true],
  ['NumericEquals accepts JSON numbers', 'NumericEquals', K, 10, c(10), true],
  ['NumericEquals compares beyond 2^53 exactly', 'NumericEquals', K, '9007199254740993', c('9007199254740992'), false],
  ['NumericEquals matches beyond 2^53 exactly', 'NumericEquals', K, '9007199254740993', c('9007199254740993'), true],
  ['NumericLessThan beyond 2^53 is exact', 'NumericLessThan', K, '9007199254740993', c('9007199254740992'), true],
  ['NumericEquals on 19-digit integers (i64)', 'NumericEquals', K, '9223372036854775807', c('9223372036854775806'), false],
  ['NumericEquals on decimals', 'NumericEquals', K, '0.30', c('0.3'), true],
  ['NumericEquals with exponent', 'NumericEquals', K, '1e3', c('1000'), true],
  ['NumericNotEquals true for a different number', 'NumericNotEquals', K, '5', c('6'), true],
  ['NumericNotEquals false for an equal number', 'NumericNotEquals', K, '5', c('5.00'), false],
  ['NumericNotEquals is true on a missing key', 'NumericNotEquals', K, '5', none, true],
  ['NumericLessThan true', 'NumericLessThan', K, '10', c('9'), true],
  ['NumericLessThan false on equality', 'NumericLessThan', K, '10', c('10'), false],
  ['NumericLessThanEquals true on equality', 'NumericLessThanEquals', K, '10', c('10'), true],
  ['NumericGreaterThan true', 'NumericGreaterThan', K, '10', c('11'), true],
  ['NumericGreaterThan handles negatives', 'NumericGreaterThan', K, '-5', c('-4.5'), true],
  ['NumericGreaterThanEquals true on equality', 'NumericGreaterThanEquals', K, '10', c('10'), true],
  ['NumericGreaterThanEquals false below', 'NumericGreaterThanEquals', K, '10', c('9.999'), false],
  ['Numeric operators are false on a non-numeric context value', 'NumericLessThan', K, '10', c('abc'), false],
  ['NumericNotEquals is false (not true) on a non-numeric context value', 'NumericNotEquals', K, '10', c('abc'), false],
  ['Numeric operators are false on a missing key', 'NumericLessThan', K, '10', none, false],
  ['Numeric operators accept number context values', 'NumericLessThan', K, 3600, c(120), true],
];

const DATE: Row[] = [
  ['DateLessThan with ISO 8601 UTC', 'DateLessThan', 'aws:CurrentTime', '2025-01-01T00:00:00Z', { 'aws:CurrentTime': '2024-06-01T12:00:00Z' }, true],
  ['DateGreaterThan with ISO 8601 UTC', 'DateGreaterThan', 'aws:CurrentTime', '2025-01-01T00:00:00Z', { 'aws:CurrentTime': '2024-06-01T12:00:00Z' }, false],
  ['Date policy values may be epoch seconds (not milliseconds)', 'DateLessThan', 'aws:CurrentTime', '1735689600', { 'aws:CurrentTime': '2024-01-01T00:00:00Z' }, true],
  ['Date context values may be epoch seconds', 'DateGreaterThanEquals', 'aws:EpochTime', '2025-01-01T00:00:00Z', { 'aws:EpochTime': 1735689600 }, true],
  ['DateEquals compares instants across time zones', 'DateEquals', K, '2024-01-01T02:00:00+02:00', c('2024-01-01T00:00:00Z'), true],
  ['DateEquals with fractional seconds', 'DateEquals', K, '2024-01-01T00:00:00.500Z', c('2024-01-01T00:00:00.5Z'), true],
  ['Date-only values are midnight UTC', 'DateEquals', K, '2024-03-01', c('2024-03-01T00:00:00Z'), true],
  ['DateNotEquals is true on a missing key', 'DateNotEquals', K, '2024-01-01', none, true],
  ['DateNotEquals is false for the same instant', 'DateNotEquals', K, '2024-01-01T00:00:00Z', c('1704067200'), false],
  ['DateLessThanEquals true on equality', 'DateLessThanEquals', K, '2024-01-01T00:00:00Z', c('2024-01-01T00:00:00Z'), true],
  ['DateGreaterThan true', 'DateGreaterThan', K, '2024-01-01T00:00:00Z', c('2024-01-01T00:00:01Z'), true],
  ['Date operators are false on an unparseable context value', 'DateLessThan', K, '2025-01-01', c('yesterday'), false],
  ['Date operators reject invalid calendar dates in context', 'DateLessThan', K, '2025-01-01', c('2024-02-30'), false],
];

const BOOL_BINARY_IP_NULL: Row[] = [
  ['Bool true matches boolean true', 'Bool', 'aws:SecureTransport', 'true', { 'aws:SecureTransport': true }, true],
  ['Bool true does not match false', 'Bool', 'aws:SecureTransport', 'true', { 'aws:SecureTransport': 'false' }, false],
  ['Bool matches context "TRUE" case-insensitively', 'Bool', K, 'true', c('TRUE'), true],
  ['Bool does not match "yes"', 'Bool', K, 'true', c('yes'), false],
  ['Bool accepts a JSON boolean policy value', 'Bool', K, false, c(false), true],
  ['Bool is false on a missing key', 'Bool', K, 'false', none, false],
  ['BoolIfExists is true on a missing key', 'BoolIfExists', K, 'false', none, true],
  ['BinaryEquals compares bytes of base64 values', 'BinaryEquals', K, 'QmluYXJ5VmFsdWU=', c('QmluYXJ5VmFsdWU='), true],
  ['BinaryEquals is false for other bytes', 'BinaryEquals', K, 'QmluYXJ5VmFsdWU=', c('QmluYXJ5VmFsdWF='), false],
  ['BinaryEquals is false on non-base64 context', 'BinaryEquals', K, 'QQ==', c('not base64!'), false],
  ['IpAddress matches inside an IPv4 CIDR', 'IpAddress', 'aws:SourceIp', '10.0.0.0/8', { 'aws:SourceIp': '10.1.2.3' }, true],
  ['IpAddress does not match outside the CIDR', 'IpAddress', 'aws:SourceIp', '10.0.0.0/8', { 'aws:SourceIp': '11.1.2.3' }, false],
  ['IpAddress: a bare IP is a /32', 'IpAddress', 'aws:SourceIp', '192.0.2.7', { 'aws:SourceIp': '192.0.2.7' }, true],
  ['IpAddress: a bare IP is a /32 (neighbour)', 'IpAddress', 'aws:SourceIp', '192.0.2.7', { 'aws:SourceIp': '192.0.2.8' }, false],
  ['IpAddress ignores host bits in the CIDR', 'IpAddress', 'aws:SourceIp', '10.1.2.3/8', { 'aws:SourceIp': '10.200.0.1' }, true],
  ['IpAddress /0 matches every IPv4', 'IpAddress', 'aws:SourceIp', '0.0.0.0/0', { 'aws:SourceIp': '203.0.113.9' }, true],
  ['IpAddress matches inside an IPv6 CIDR', 'IpAddress', 'aws:SourceIp', '2001:db8::/32', { 'aws:SourceIp': '2001:db8:1234::1' }, true],
  ['IpAddress IPv6 outside the CIDR', 'IpAddress', 'aws:SourceIp', '2001:db8::/32', { 'aws:SourceIp': '2001:db9::1' }, false],
  ['IpAddress: an IPv4 CIDR never matches an IPv6 address', 'IpAddress', 'aws:SourceIp', '0.0.0.0/0', { 'aws:SourceIp': '2001:db8::1' }, false],
  ['IpAddress: IPv4-mapped IPv6 is its IPv4 address', 'IpAddress', 'aws:SourceIp', '10.0.0.0/8', { 'aws:SourceIp': '::ffff:10.0.0.1' }, true],
  ['IpAddress ORs several CIDRs', 'IpAddress', 'aws:SourceIp', ['192.0.2.0/24', '10.0.0.0/8'], { 'aws:SourceIp': '10.9.9.9' }, true],
  ['IpAddress is false on a missing key (e.g. via VPC endpoint)', 'IpAddress', 'aws:SourceIp', '10.0.0.0/8', none, false],
  ['IpAddress is false on a non-IP context value', 'IpAddress', 'aws:SourceIp', '10.0.0.0/8', { 'aws:SourceIp': '10.0.0.300' }, false],
  ['NotIpAddress true outside every CIDR', 'NotIpAddress', 'aws:SourceIp', ['10.0.0.0/8', '192.168.0.0/16'], { 'aws:SourceIp': '8.8.8.8' }, true],
  ['NotIpAddress false inside a CIDR', 'NotIpAddress', 'aws:SourceIp', ['10.0.0.0/8', '192.168.0.0/16'], { 'aws:SourceIp': '192.168.1.1' }, false],
  ['NotIpAddress is true on a missing key', 'NotIpAddress', 'aws:SourceIp', '10.0.0.0/8', none, true],
  ['Null true holds when the key is absent', 'Null', K, 'true', none, true],
  ['Null true fails when the key is present', 'Null', K, 'true', c('x'), false],
  ['Null false holds when the key is present', 'Null', K, 'false', c('x'), true],
  ['Null false fails when the key is absent', 'Null', K, 'false', none, false],
  ['Null treats an empty string as present', 'Null', K, 'true', c(''), false],
  ['Null accepts JSON booleans', 'Null', K, true, none, true],
  ['ForAllValues:Null acts as plain Null', 'ForAllValues:Null', K, 'false', c(['a']), true],
];

const ARN: Row[] = [
  ['ArnLike matches each ARN part separately', 'ArnLike', 'aws:SourceArn', 'arn:aws:someservice:*:111122223333:finance/*', { 'aws:SourceArn': 'arn:aws:someservice:us-east-1:111122223333:finance/doc.txt' }, true],
  ['ArnLike * cannot cross a colon', 'ArnLike', 'aws:SourceArn', 'arn:aws:someservice:*:111122223333:finance/*', { 'aws:SourceArn': 'arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt' }, false],
  ['StringLike with the same pattern does cross colons', 'StringLike', 'aws:SourceArn', 'arn:aws:someservice:*:111122223333:finance/*', { 'aws:SourceArn': 'arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt' }, true],
  ['ArnEquals is identical to ArnLike (wildcards allowed)', 'ArnEquals', 'aws:PrincipalArn', 'arn:fedgate:iam::000000000000:role/*', { 'aws:PrincipalArn': 'arn:fedgate:iam::000000000000:role/Dev' }, true],
  ['ArnEquals is case-sensitive', 'ArnEquals', 'aws:PrincipalArn', 'arn:fedgate:iam::000000000000:role/dev', { 'aws:PrincipalArn': 'arn:fedgate:iam::000000000000:role/Dev' }, false],
  ['ArnLike: the resource part may contain colons', 'ArnLike', K, 'arn:aws:ssm:*:*:parameter/a:*', c('arn:aws:ssm:eu-west-1:1:parameter/a:b:c'), true],
  ['ArnLike is false for a value that is not an ARN', 'ArnLike', K, 'arn:*', c('not-an-arn'), false],
  ['ArnLike: a short pattern ending in * covers the remaining parts', 'ArnLike', K, 'arn:fedgate:*', c('arn:fedgate:orders:::order/1'), true],
  ['ArnNotLike true when no pattern matches', 'ArnNotLike', K, 'arn:aws:s3:::bucket/*', c('arn:aws:s3:::other/x'), true],
  ['ArnNotLike false when a pattern matches', 'ArnNotLike', K, 'arn:aws:s3:::bucket/*', c('arn:aws:s3:::bucket/x'), false],
  ['ArnNotEquals is true on a missing key', 'ArnNotEquals', K, 'arn:aws:s3:::bucket', none, true],
  ['ArnLike is false on a missing key', 'ArnLike', K, 'arn:*', none, false],
];

const IF_EXISTS: Row[] = [
  ['StringEqualsIfExists is true on a missing key', 'StringEqualsIfExists', K, 'red', none, true],
  ['StringEqualsIfExists applies the operator when present', 'StringEqualsIfExists', K, 'red', c('blue'), false],
  ['StringEqualsIfExists treats "" as present', 'StringEqualsIfExists', K, 'a', c(''), false],
  ['StringNotEqualsIfExists is true on a missing key', 'StringNotEqualsIfExists', K, 'red', none, true],
  ['NumericLessThanIfExists is true on a missing key', 'NumericLessThanIfExists', K, '5', none, true],
  ['NumericLessThanIfExists applies when present', 'NumericLessThanIfExists', K, '5', c('6'), false],
  ['DateLessThanIfExists is true on a missing key', 'DateLessThanIfExists', K, '2024-01-01', none, true],
  ['IpAddressIfExists is true on a missing key', 'IpAddressIfExists', 'aws:SourceIp', '10.0.0.0/8', none, true],
  ['ArnLikeIfExists is true on a missing key', 'ArnLikeIfExists', K, 'arn:*', none, true],
  ['BinaryEqualsIfExists is true on a missing key', 'BinaryEqualsIfExists', K, 'QQ==', none, true],
  ['IfExists suffix is case-insensitive', 'StringEqualsifexists', K, 'red', none, true],
];

const SETS: Row[] = [
  ['ForAllValues is true when the key is missing (vacuous truth)', 'ForAllValues:StringEquals', K, ['a', 'b'], none, true],
  ['ForAllValues is true for an empty list', 'ForAllValues:StringEquals', K, ['a', 'b'], c([]), true],
  ['ForAllValues is true when every value is allowed', 'ForAllValues:StringEquals', K, ['a', 'b'], c(['a']), true],
  ['ForAllValues is false when one value is not allowed', 'ForAllValues:StringEquals', K, ['a', 'b'], c(['a', 'c']), false],
  ['ForAllValues treats a single value as a one-element set', 'ForAllValues:StringEquals', K, ['a', 'b'], c('b'), true],
  ['ForAnyValue is false when the key is missing', 'ForAnyValue:StringEquals', K, ['a'], none, false],
  ['ForAnyValue is false for an empty list', 'ForAnyValue:StringEquals', K, ['a'], c([]), false],
  ['ForAnyValue is true when one value matches', 'ForAnyValue:StringEquals', K, ['a'], c(['x', 'a']), true],
  ['ForAnyValue is false when no value matches', 'ForAnyValue:StringEquals', K, ['a'], c(['x', 'y']), false],
  ['ForAnyValue:StringLike with wildcards', 'ForAnyValue:StringLike', K, 'team-*', c(['ops', 'team-red']), true],
  ['ForAllValues:StringNotEquals is true on a missing key', 'ForAllValues:StringNotEquals', K, 'a', none, true],
  ['ForAllValues:StringNotEquals is true when no value is listed', 'ForAllValues:StringNotEquals', K, 'a', c(['b', 'c']), true],
  ['ForAllValues:StringNotEquals is false when one value is listed', 'ForAllValues:StringNotEquals', K, 'a', c(['a', 'c']), false],
  ['ForAnyValue:StringNotEquals is false on a missing key', 'ForAnyValue:StringNotEquals', K, 'a', none, false],
  ['ForAnyValue:StringNotEquals is true when some value is not listed', 'ForAnyValue:StringNotEquals', K, 'a', c(['a', 'c']), true],
  ['ForAnyValue:StringNotEquals is false when every value is listed', 'ForAnyValue:StringNotEquals', K, 'a', c(['a']), false],
  ['ForAnyValue:StringEqualsIfExists is true on a missing key', 'ForAnyValue:StringEqualsIfExists', K, 'a', none, true],
  ['ForAllValues:NumericLessThan over numbers', 'ForAllValues:NumericLessThan', K, '10', c(['1', '9']), true],
  ['ForAllValues:NumericLessThan fails on a non-number', 'ForAllValues:NumericLessThan', K, '10', c(['1', 'x']), false],
  ['ForAnyValue:IpAddress over several addresses', 'ForAnyValue:IpAddress', K, '10.0.0.0/8', c(['8.8.8.8', '10.0.0.1']), true],
  ['set prefixes are case-insensitive', 'forallvalues:StringEquals', K, ['a'], c(['a']), true],
  ['a plain operator never matches a multi-valued context value', 'StringEquals', K, 'a', c(['a']), false],
  ['a plain negated operator never matches a multi-valued context value either', 'StringNotEquals', K, 'a', c(['b']), false],
];

const KEY_CASE: Row[] = [
  ['condition keys are case-insensitive', 'StringEquals', 'AWS:PRINCIPALTAG/TEAM', 'red', { 'aws:PrincipalTag/team': 'red' }, true],
  ['context keys are case-insensitive', 'StringEquals', 'aws:PrincipalTag/team', 'red', { 'Aws:principaltag/Team': 'red' }, true],
  ['condition values stay case-sensitive when keys are not', 'StringEquals', 'AWS:PRINCIPALTAG/TEAM', 'Red', { 'aws:PrincipalTag/team': 'red' }, false],
];

describe('condition operators (SPEC 7.3, IAM-SEMANTICS 1.3-1.4)', () => {
  for (const [family, rows] of Object.entries({ STRING, NUMERIC, DATE, BOOL_BINARY_IP_NULL, ARN, IF_EXISTS, SETS, KEY_CASE })) {
    describe(family, () => {
      it.each(rows.map((r) => ({ rule: r[0], row: r })))('$rule', ({ row }) => {
        const [, operator, key, values, context, expected] = row;
        expect(conditionHolds({ [operator]: { [key]: values } }, context)).toBe(expected);
      });
    });
  }

  it('several keys under one operator are ANDed', () => {
    const condition = { StringEquals: { 'a:x': '1', 'a:y': '2' } };
    expect(conditionHolds(condition, { 'a:x': '1', 'a:y': '2' })).toBe(true);
    expect(conditionHolds(condition, { 'a:x': '1', 'a:y': '3' })).toBe(false);
  });

  it('several operators are ANDed', () => {
    const condition = { StringEquals: { 'a:x': '1' }, NumericLessThan: { 'a:n': '5' } };
    expect(conditionHolds(condition, { 'a:x': '1', 'a:n': 4 })).toBe(true);
    expect(conditionHolds(condition, { 'a:x': '1', 'a:n': 6 })).toBe(false);
  });

  it('an empty Condition block holds', () => {
    expect(conditionHolds({}, {})).toBe(true);
  });
});
