import { describe, expect, it } from 'vitest';
import { findSecrets, stringFields, withoutDiffMarkers } from '../../src/lib/mine/secrets.ts';
import { PLANTED } from './story-repo.ts';

const PEM = `${PLANTED.privateKeyHeader}\n${PLANTED.privateKeyBody}\n-----END RSA PRIVATE KEY-----\n`;

describe('stringFields', () => {
	it('lists every string with its field path', () => {
		expect(stringFields({ id: 'x', input: { files: [{ path: 'a', content: 'b' }] }, n: 1, ok: true })).toEqual([
			{ field: 'id', value: 'x' },
			{ field: 'input.files[0].path', value: 'a' },
			{ field: 'input.files[0].content', value: 'b' },
		]);
	});
});

describe('withoutDiffMarkers', () => {
	it('takes the marker off hunk lines and leaves file headers alone', () => {
		expect(withoutDiffMarkers('--- a/x\n+++ b/x\n@@ -1 +1 @@\n-old\n+new\n same')).toBe('--- a/x\n+++ b/x\n@@ -1 +1 @@\nold\nnew\nsame');
	});
});

describe('findSecrets', () => {
	it('finds nothing in a clean case', async () => {
		expect(await findSecrets('c', { id: 'c', input: { diff: '+const a = 1;\n' }, reference: { message: 'feat: a' } })).toEqual([]);
	});

	it.each([
		['an AWS access key id', `AWS_ACCESS_KEY_ID=${PLANTED.awsAccessKeyId}`, '@secretlint/secretlint-rule-aws', 'AWSAccessKeyID'],
		['a GitHub token', `token: ${PLANTED.githubToken}`, '@secretlint/secretlint-rule-github', 'GITHUB_TOKEN'],
		['a PEM private key', PEM, '@secretlint/secretlint-rule-privatekey', 'PrivateKey'],
	])('flags %s in a plain field and names the field', async (_, secret, ruleId, messageId) => {
		const findings = await findSecrets('case-1', {
			id: 'case-1',
			source: { subject: 'chore: x' },
			reference: { message: `notes\n${secret}\n` },
		});
		expect(findings).toEqual([{ caseId: 'case-1', field: 'reference.message', ruleId, messageId }]);
	});

	it('flags a private key added in a diff, where every line starts with +', async () => {
		const diff = `diff --git a/k.pem b/k.pem\nnew file mode 100644\n--- /dev/null\n+++ b/k.pem\n@@ -0,0 +1,3 @@\n${PEM.trimEnd()
			.split('\n')
			.map((line) => `+${line}`)
			.join('\n')}\n`;
		const findings = await findSecrets('case-2', { id: 'case-2', input: { diff } });
		expect(findings).toEqual([
			{ caseId: 'case-2', field: 'input.diff', ruleId: '@secretlint/secretlint-rule-privatekey', messageId: 'PrivateKey' },
		]);
	});

	it('flags a secret inside a file content', async () => {
		const findings = await findSecrets('case-3', {
			id: 'case-3',
			input: { intent: 'add release script', files: [{ path: 'scripts/release.sh', content: '' }] },
			reference: { files: [{ path: 'scripts/release.sh', content: `export GITHUB_TOKEN=${PLANTED.githubToken}\n` }] },
		});
		expect(findings).toEqual([
			{ caseId: 'case-3', field: 'reference.files[0].content', ruleId: '@secretlint/secretlint-rule-github', messageId: 'GITHUB_TOKEN' },
		]);
	});
});
