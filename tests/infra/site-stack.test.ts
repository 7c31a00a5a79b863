import vm from 'node:vm';
import type { CfnElement } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { SITE_CONTENT_SECURITY_POLICY } from '../../infra/site-stack.ts';
import { viewerRequestCode } from '../../infra/viewer-access.ts';
import { renderIntrinsics, synthesizeApp, TEST_BUCKET_NAMES } from '../helpers/synth-app.ts';

/**
 * The site stack: CloudFront over the site bucket's site/ through origin access control, HTTPS
 * only, security headers with a CSP that allows no inline script, and the viewer allow-list that
 * denies everyone by default; the allow-list's function is executed here on real-shaped events.
 */
const CIDRS = ['203.0.113.0/24', '198.51.100.7/32'];
const { stacks, templates } = synthesizeApp({ allowedCidrs: CIDRS });
const site = templates.site;
const distribution =
  site.toJSON().Resources[stacks.site.getLogicalId(stacks.site.distribution.node.defaultChild as CfnElement)]
    .Properties.DistributionConfig;

describe('the distribution', () => {
  it("reads the private bucket's site/ folder through origin access control (SigV4), never as a website", () => {
    const [origin] = distribution.Origins;
    expect(origin.DomainName).toEqual({
      'Fn::Join': [
        '',
        [`${TEST_BUCKET_NAMES.site}.s3.`, { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }],
      ],
    });
    expect(origin.OriginPath).toBe('/site');
    expect(origin.S3OriginConfig).toEqual({ OriginAccessIdentity: '' });
    expect(renderIntrinsics(origin.OriginAccessControlId)).toMatch(/^<OriginAccess[0-9A-F]+\.Id>$/);
    site.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: {
        OriginAccessControlOriginType: 's3',
        SigningBehavior: 'always',
        SigningProtocol: 'sigv4',
      },
    });
  });

  it('serves HTTPS only, GET and HEAD, the index at the root, and logs viewers', () => {
    expect(distribution.DefaultCacheBehavior).toMatchObject({
      ViewerProtocolPolicy: 'https-only',
      AllowedMethods: ['GET', 'HEAD'],
    });
    expect(distribution.DefaultRootObject).toBe('index.html');
    expect(distribution.Logging).toMatchObject({ Prefix: 'cloudfront/' });
    expect(distribution.IPV6Enabled).toBe(false);
  });

  it('sends a CSP without inline script, HSTS, no framing and no referrer', () => {
    expect(SITE_CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
    expect(SITE_CONTENT_SECURITY_POLICY).toMatch(/(^|; )script-src 'self'(;|$)/);
    expect(SITE_CONTENT_SECURITY_POLICY).toMatch(/(^|; )default-src 'none'(;|$)/);
    site.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: Match.objectLike({
        SecurityHeadersConfig: {
          ContentSecurityPolicy: { ContentSecurityPolicy: SITE_CONTENT_SECURITY_POLICY, Override: true },
          StrictTransportSecurity: Match.objectLike({
            AccessControlMaxAgeSec: 730 * 86400,
            IncludeSubdomains: true,
          }),
          ContentTypeOptions: { Override: true },
          FrameOptions: { FrameOption: 'DENY', Override: true },
          ReferrerPolicy: { ReferrerPolicy: 'no-referrer', Override: true },
        },
      }),
    });
    expect(renderIntrinsics(distribution.DefaultCacheBehavior.ResponseHeadersPolicyId)).toMatch(
      /^<SecurityHeaders/,
    );
  });

  it('runs the allow-list function on every viewer request, with the configured CIDRs inlined', () => {
    const [association] = distribution.DefaultCacheBehavior.FunctionAssociations;
    expect(association.EventType).toBe('viewer-request');
    site.hasResourceProperties('AWS::CloudFront::Function', {
      FunctionCode: viewerRequestCode(CIDRS),
      FunctionConfig: Match.objectLike({ Runtime: 'cloudfront-js-2.0' }),
      AutoPublish: true,
    });
  });

  it('attaches a WAF web ACL when one is configured, and none by default', () => {
    expect(distribution.WebACLId).toBeUndefined();
    const acl =
      'arn:aws:wafv2:us-east-1:123456789012:global/webacl/repscope/0f0e0d0c-0000-1111-2222-333344445555';
    const withAcl = synthesizeApp({ webAclArn: acl }).templates.site;
    withAcl.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({ WebACLId: acl }),
    });
  });
});

/** Runs the generated CloudFront Function on a viewer-request event, as CloudFront would. */
function viewerRequest(cidrs: readonly string[], ip: string, uri = '/index.html') {
  const context = vm.createContext({});
  vm.runInContext(
    `${viewerRequestCode(cidrs)}; globalThis.result = handler(${JSON.stringify({ viewer: { ip }, request: { uri } })});`,
    context,
  );
  return context['result'] as { statusCode?: number; uri?: string };
}

describe('the viewer allow-list', () => {
  it('denies every viewer when no CIDR is configured', () => {
    for (const ip of ['203.0.113.9', '10.0.0.1', '0.0.0.0', '255.255.255.255']) {
      expect(viewerRequest([], ip).statusCode).toBe(403);
    }
  });

  it('lets in addresses inside a configured range, and only those', () => {
    expect(viewerRequest(CIDRS, '203.0.113.0').uri).toBe('/index.html');
    expect(viewerRequest(CIDRS, '203.0.113.255').uri).toBe('/index.html');
    expect(viewerRequest(CIDRS, '198.51.100.7').uri).toBe('/index.html');
    expect(viewerRequest(CIDRS, '203.0.114.0').statusCode).toBe(403);
    expect(viewerRequest(CIDRS, '203.0.112.255').statusCode).toBe(403);
    expect(viewerRequest(CIDRS, '198.51.100.8').statusCode).toBe(403);
    expect(viewerRequest(CIDRS, '2001:db8::1').statusCode).toBe(403);
    expect(viewerRequest(CIDRS, '203.0.113.1.5').statusCode).toBe(403);
    expect(viewerRequest(['0.0.0.0/0'], '192.0.2.44').uri).toBe('/index.html');
    expect(viewerRequest(['10.0.0.0/8'], '10.255.1.2').uri).toBe('/index.html');
    expect(viewerRequest(['10.0.0.0/8'], '11.0.0.0').statusCode).toBe(403);
  });

  it('maps a folder URL to its index.html', () => {
    expect(viewerRequest(CIDRS, '203.0.113.5', '/datasets/leads/').uri).toBe('/datasets/leads/index.html');
  });

  it('refuses a CIDR that is not IPv4', () => {
    expect(() => viewerRequestCode(['2001:db8::/32'])).toThrow(/"2001:db8::\/32" is not an IPv4 CIDR/);
    expect(() => viewerRequestCode(['203.0.113.0/33'])).toThrow(/not an IPv4 CIDR/);
  });
});
