/*
 * bench_codec: ns per decode and per encode of each dialect, against jansson.
 *
 *  decode ratio = apierr_problem_decode(body) / json_loadb(body) + decref
 *                 (the bare parse every decoder must do anyway)
 *  encode ratio = apierr_problem_encode(problem) / building the same
 *                 document with jansson's API and json_dumpb()
 *
 * Targets (issue 2): decode <= 1.3, encode <= 0.5. The bodies are the ones
 * apierr writes for one problem with two field details (the seeds' typical
 * 422), plus real bodies of the decode-only shapes. Prints one row per
 * dialect and the geometric means. The XML shapes (SOAP, Twilio) print
 * their decode time only: jansson cannot parse them.
 *
 * Environment: BENCH_CODEC_ITERS (calls per round, 20000), BENCH_CODEC_ROUNDS
 * (7), BENCH_CODEC_ONLY=NAME (that row alone). bench/codec/run.sh counts
 * instructions under callgrind with them, a figure that a loaded machine
 * does not move.
 */
#include "../common/bench_time.h"
#include "apierr.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ITERS    20000
#define MAX_ROWS 64
#define ROUNDS   7

static const char *body_cur;
static size_t len_cur;
static apierr_problem *prob_cur;
static apierr_dialect dialect_cur;
static json_t *template_cur;

static void run_parse(void *arg)
{
    (void)arg;
    json_t *j = json_loadb(body_cur, len_cur, 0, NULL);
    json_decref(j);
}

static void run_decode(void *arg)
{
    apierr_decode_opts *o = arg;
    apierr_problem *p;
    if (apierr_problem_decode(&p, body_cur, len_cur, o) == APIERR_OK) apierr_problem_free(p);
}

static void run_encode(void *arg)
{
    (void)arg;
    char *out;
    if (apierr_problem_encode(&out, NULL, prob_cur, dialect_cur) == APIERR_OK) apierr_free(out);
}

/* Builds a fresh copy of `t` with jansson's constructors: what a server that
 * uses jansson does to write the same document. */
static json_t *build_like(const json_t *t)
{
    switch (json_typeof(t)) {
    case JSON_OBJECT: {
        json_t *o = json_object();
        const char *k;
        json_t *v;
        json_object_foreach((json_t *)t, k, v) json_object_set_new(o, k, build_like(v));
        return o;
    }
    case JSON_ARRAY: {
        json_t *a = json_array();
        size_t i;
        json_t *v;
        json_array_foreach(t, i, v) json_array_append_new(a, build_like(v));
        return a;
    }
    case JSON_STRING:
        return json_stringn(json_string_value(t), json_string_length(t));
    case JSON_INTEGER:
        return json_integer(json_integer_value(t));
    case JSON_REAL:
        return json_real(json_real_value(t));
    case JSON_TRUE:
        return json_true();
    case JSON_FALSE:
        return json_false();
    default:
        return json_null();
    }
}

static void run_build_dump(void *arg)
{
    (void)arg;
    char buf[4096];
    json_t *doc = build_like(template_cur);
    size_t n = json_dumpb(doc, buf, sizeof buf, JSON_COMPACT | JSON_PRESERVE_ORDER);
    (void)n;
    json_decref(doc);
}

static apierr_problem *sample_problem(void)
{
    apierr_problem *p;
    if (apierr_problem_new(&p)) exit(1);
    p->status = 422;
    apierr_problem_set(p, APIERR_PF_CODE, "validation_failed");
    apierr_problem_set(p, APIERR_PF_MESSAGE, "Request validation failed.");
    apierr_problem_set(p, APIERR_PF_REQUEST_ID, "req-7f3a9c2e4b1d4e8f");
    apierr_problem_set(p, APIERR_PF_TIMESTAMP, "2024-11-15T10:30:00Z");
    apierr_problem_set(p, APIERR_PF_PATH, "/v1/tenants/acme/invoices");
    apierr_problem_add_detail(p, "lines.0.quantity", "Must be greater than 0", "too_small");
    apierr_problem_add_detail(p, "customer.email", "Invalid email address", "invalid_email");
    return p;
}

/* Real bodies of shapes apierr only reads. */
static const struct {
    const char *name, *body;
    int status;
} wild[] = {
    {"google",
     "{\"error\":{\"code\":400,\"message\":\"Invalid value at 'instance.name'\","
     "\"status\":\"INVALID_ARGUMENT\",\"details\":[{\"@type\":\"type.googleapis.com/"
     "google.rpc.BadRequest\",\"fieldViolations\":[{\"field\":\"instance.name\","
     "\"description\":\"Invalid value\"}]}]}}",
     400},
    {"stripe",
     "{\"error\":{\"code\":\"resource_missing\",\"doc_url\":\"https://stripe.com/docs/"
     "error-codes/resource-missing\",\"message\":\"No such customer: 'cus_123'\","
     "\"param\":\"customer\",\"type\":\"invalid_request_error\"}}",
     404},
    {"github",
     "{\"message\":\"Validation Failed\",\"errors\":[{\"resource\":\"Issue\",\"field\":"
     "\"title\",\"code\":\"missing_field\"}],\"documentation_url\":\"https://docs."
     "github.com/rest\"}",
     422},
    {"fastapi",
     "{\"detail\":[{\"loc\":[\"body\",\"items\",0,\"price\"],\"msg\":\"value is not a "
     "valid float\",\"type\":\"type_error.float\"}]}",
     422},
    /* shapes of issue 10, read by the general rules (from tests/corpus) */
    {"paypal",
     "{\"name\":\"INVALID_REQUEST\",\"message\":\"Request is not well-formed, synta"
     "ctically incorrect, or violates schema.\",\"debug_id\":\"90957fca61718\",\"d"
     "etails\":[{\"field\":\"/intent\",\"value\":\"\",\"location\":\"body\",\"issue\":\"MISS"
     "ING_REQUIRED_PARAMETER\",\"description\":\"A required field / parameter is"
     " missing.\"}],\"links\":[{\"href\":\"https://developer.paypal.com/docs/api/o"
     "rders/v2/#error-MISSING_REQUIRED_PARAMETER\",\"rel\":\"information_link\",\""
     "encType\":\"application/json\"}]}",
     400},
    {"kubernetes",
     "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"m"
     "essage\":\"Deployment.apps \\\"web\\\" is invalid: spec.replicas: Invalid va"
     "lue: -1: must be greater than or equal to 0\",\"reason\":\"Invalid\",\"detai"
     "ls\":{\"name\":\"web\",\"group\":\"apps\",\"kind\":\"Deployment\",\"causes\":[{\"reaso"
     "n\":\"FieldValueInvalid\",\"message\":\"Invalid value: -1: must be greater t"
     "han or equal to 0\",\"field\":\"spec.replicas\"}]},\"code\":422}",
     422},
    {"elastic",
     "{\"error\":{\"root_cause\":[{\"type\":\"index_not_found_exception\",\"reason\":\""
     "no such index [twitter]\",\"resource.type\":\"index_or_alias\",\"resource.id"
     "\":\"twitter\",\"index_uuid\":\"_na_\",\"index\":\"twitter\"}],\"type\":\"index_not_"
     "found_exception\",\"reason\":\"no such index [twitter]\",\"resource.type\":\"i"
     "ndex_or_alias\",\"resource.id\":\"twitter\",\"index_uuid\":\"_na_\",\"index\":\"tw"
     "itter\"},\"status\":404}",
     404},
    {"salesforce",
     "[{\"message\":\"Email: invalid email address: foo\",\"errorCode\":\"INVALID_E"
     "MAIL_ADDRESS\",\"fields\":[\"Email\"]},{\"message\":\"Required fields are miss"
     "ing: [LastName]\",\"errorCode\":\"REQUIRED_FIELD_MISSING\",\"fields\":[\"LastN"
     "ame\"]}]",
     400},
    {"discord",
     "{\"code\":50035,\"errors\":{\"activities\":{\"0\":{\"platform\":{\"_errors\":[{\"co"
     "de\":\"BASE_TYPE_CHOICES\",\"message\":\"Value must be one of ('desktop', 'a"
     "ndroid', 'ios').\"}]},\"type\":{\"_errors\":[{\"code\":\"BASE_TYPE_CHOICES\",\"m"
     "essage\":\"Value must be one of (0, 1, 2, 3, 4, 5).\"}]}}}},\"message\":\"In"
     "valid Form Body\"}",
     400},
    {"okta",
     "{\"errorCode\":\"E0000001\",\"errorSummary\":\"Api validation failed: login\","
     "\"errorLink\":\"E0000001\",\"errorId\":\"oaeHfmOAx1iRLa9a3FtLmGVwA\",\"errorCau"
     "ses\":[{\"errorSummary\":\"login: An object with this field already exists"
     " in the current organization\"}]}",
     400},
    {"slack", "{\"ok\":false,\"error\":\"invalid_auth\"}", 200},
    /* shapes of the general rules added later (issue 10, second part) */
    {"box",
     "{\"type\":\"error\",\"status\":400,\"code\":\"bad_request\",\"help_url\":\"http://develop"
     "ers.box.com/docs/#errors\",\"message\":\"Bad request\",\"request_id\":\"5678\",\"context_inf"
     "o\":{\"errors\":[{\"reason\":\"invalid_parameter\",\"name\":\"parent\",\"message\":\"Invalid"
     " value 'fake_id'. 'parent' with value 'fake_id' not found\"}]}}",
     400},
    {"flickr_xml",
     "<?xml version=\"1.0\" encoding=\"utf-8\" ?>\n<rsp stat=\"fail\">\n\t<err code=\"100\" "
     "msg=\"In"
     "valid API Key (Key has invalid format)\" />\n</rsp>\n",
     200},
    {"soap11",
     "<SOAP-ENV:Envelope xmlns:SOAP-ENV=\"http://schemas.xmlsoap.org/soap/env"
     "elope/\" SOAP-ENV:encodingStyle=\"http://schemas.xmlsoap.org/soap/encodi"
     "ng/\">\n   <SOAP-ENV:Body>\n       <SOAP-ENV:Fault>\n           <faultcode"
     ">SOAP-ENV:Server</faultcode>\n           <faultstring>Server Error</fau"
     "ltstring>\n           <detail>\n               <e:myfaultdetails xmlns:e"
     "=\"Some-URI\">\n                 <message>\n                   My applicat"
     "ion didn't work\n                 </message>\n                 <errorcod"
     "e>\n                   1001\n                 </errorcode>\n             "
     "  </e:myfaultdetails>\n           </detail>\n       </SOAP-ENV:Fault>\n  "
     " </SOAP-ENV:Body>\n</SOAP-ENV:Envelope>\n",
     500},
    {"twilio_xml",
     "<?xml version='1.0' encoding='UTF-8'?>\n<TwilioResponse>\n  <RestExcepti"
     "on>\n    <Code>20404</Code>\n    <Message>The requested resource /2010-0"
     "4-01/Accounts/ACXXXXXXXX/Calls/CAXXXXXXXX.xml was not found</Message>\n"
     "    <MoreInfo>https://www.twilio.com/docs/errors/20404</MoreInfo>\n    "
     "<Status>404</Status>\n  </RestException>\n</TwilioResponse>\n",
     404},
};

static double geo(double *v, int n)
{
    double s = 0;
    for (int i = 0; i < n; i++) s += log(v[i]);
    return exp(s / n);
}

static long iters = ITERS;
static int rounds = ROUNDS;
static const char *only;

static double per_call(void (*fn)(void *), void *arg)
{
    return bench_ns_per_call(fn, arg, iters, rounds);
}

int main(void)
{
    if (getenv("BENCH_CODEC_ITERS")) iters = atol(getenv("BENCH_CODEC_ITERS"));
    if (getenv("BENCH_CODEC_ROUNDS")) rounds = atoi(getenv("BENCH_CODEC_ROUNDS"));
    only = getenv("BENCH_CODEC_ONLY");
    if (only && !*only) only = NULL;
    if (iters < 1 || rounds < 1) return 2;
    apierr_problem *p = sample_problem();
    double dec_r[MAX_ROWS], enc_r[MAX_ROWS];
    int nd = 0, ne = 0;

    printf("bench_codec: apierr %s vs jansson %s; %d calls x %d rounds, fastest round\n",
           apierr_version(), JANSSON_VERSION, (int)iters, rounds);
    printf("peer: decode = json_loadb+json_decref of the same body; "
           "encode = jansson object build + json_dumpb of the same document\n\n");
    printf("%-10s %6s %11s %11s %7s %11s %11s %7s\n", "dialect", "bytes", "decode ns", "parse ns",
           "ratio", "encode ns", "jansson ns", "ratio");

    for (unsigned d = 1; d < APIERR_DIALECT__COUNT; d++) {
        if (!apierr_dialect_can_encode((apierr_dialect)d)) continue;
        if (only && strcmp(only, apierr_dialect_name((apierr_dialect)d)) != 0) continue;
        char *body;
        size_t len;
        if (apierr_problem_encode(&body, &len, p, (apierr_dialect)d)) return 1;
        apierr_decode_opts o = APIERR_DECODE_OPTS_INIT;
        o.status = 422;
        body_cur = body, len_cur = len, prob_cur = p, dialect_cur = (apierr_dialect)d;
        template_cur = json_loadb(body, len, JSON_PRESERVE_ORDER, NULL);
        double dec = per_call(run_decode, &o);
        double parse = per_call(run_parse, NULL);
        double enc = per_call(run_encode, NULL);
        double jb = per_call(run_build_dump, NULL);
        dec_r[nd++] = dec / parse;
        enc_r[ne++] = enc / jb;
        printf("%-10s %6zu %11.0f %11.0f %7.2f %11.0f %11.0f %7.2f\n",
               apierr_dialect_name((apierr_dialect)d), len, dec, parse, dec / parse, enc, jb,
               enc / jb);
        json_decref(template_cur);
        apierr_free(body);
    }
    for (size_t i = 0; i < sizeof wild / sizeof wild[0]; i++) {
        if (only && strcmp(only, wild[i].name) != 0) continue;
        apierr_decode_opts o = APIERR_DECODE_OPTS_INIT;
        o.status = wild[i].status;
        body_cur = wild[i].body, len_cur = strlen(wild[i].body);
        double dec = per_call(run_decode, &o);
        if (wild[i].body[0] == '<') { /* XML: jansson has no parse to compare with */
            printf("%-10s %6zu %11.0f %11s %7s %11s %11s %7s\n", wild[i].name, len_cur, dec, "-",
                   "-", "-", "-", "-");
            continue;
        }
        double parse = per_call(run_parse, NULL);
        dec_r[nd++] = dec / parse;
        printf("%-10s %6zu %11.0f %11.0f %7.2f %11s %11s %7s\n", wild[i].name, len_cur, dec, parse,
               dec / parse, "-", "-", "-");
    }
    printf("\ngeometric mean: decode %.2fx the bare parse (target <= 1.30), "
           "encode %.2fx jansson build+dump (target <= 0.50)\n",
           geo(dec_r, nd), geo(enc_r, ne));
    apierr_problem_free(p);
    return 0;
}
