//! The Terraform in infra/ holds DESIGN.md's contracts, and hands the service and the Lambda exactly
//! the environment variables their configuration code reads (a renamed variable fails here).
//! Static only: infra/ is parsed with hcl-rs, nothing is planned or applied.

use clap::CommandFactory;
use hcl::{Block, Body, Expression, ObjectKey};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::path::PathBuf;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every .tf file of infra/ in one body.
fn infra() -> Body {
    let mut blocks = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(repo().join("infra"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "tf"))
        .collect();
    files.sort();
    assert!(files.len() >= 5, "infra/ has its Terraform files");
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let body: Body = hcl::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        blocks.extend(body.into_blocks());
    }
    Body::builder().add_blocks(blocks).build()
}

fn label(b: &Block, i: usize) -> &str {
    b.labels().get(i).map(|l| l.as_str()).unwrap_or("")
}

fn resource<'a>(tf: &'a Body, kind: &str, name: &str) -> &'a Body {
    tf.blocks()
        .find(|b| b.identifier() == "resource" && label(b, 0) == kind && label(b, 1) == name)
        .unwrap_or_else(|| panic!("resource {kind}.{name} missing"))
        .body()
}

fn attr<'a>(body: &'a Body, key: &str) -> &'a Expression {
    body.attributes()
        .find(|a| a.key() == key)
        .unwrap_or_else(|| panic!("attribute {key} missing"))
        .expr()
}

fn block<'a>(body: &'a Body, ident: &str) -> &'a Body {
    body.blocks()
        .find(|b| b.identifier() == ident)
        .unwrap_or_else(|| panic!("block {ident} missing"))
        .body()
}

/// Literals as JSON; anything computed as its source text, with `local.name` filled in.
fn json_of(e: &Expression) -> Value {
    match e {
        Expression::Null => Value::Null,
        Expression::Bool(b) => json!(b),
        Expression::Number(n) => serde_json::to_value(n).unwrap(),
        Expression::String(s) => json!(s),
        Expression::Array(items) => Value::Array(items.iter().map(json_of).collect()),
        Expression::Object(o) => {
            Value::Object(o.iter().map(|(k, v)| (key_of(k), json_of(v))).collect())
        }
        other => {
            let source = hcl::format::to_string(other).unwrap();
            let source = source.trim_matches('"');
            if source == "local.name" {
                json!("document-processor")
            } else {
                json!(source.replace("${local.name}", "document-processor"))
            }
        }
    }
}

fn key_of(k: &ObjectKey) -> String {
    match k {
        ObjectKey::Identifier(i) => i.as_str().to_string(),
        ObjectKey::Expression(Expression::String(s)) => s.clone(),
        ObjectKey::Expression(e) => hcl::format::to_string(e).unwrap(),
        _ => panic!("unexpected object key"),
    }
}

fn value(body: &Body, key: &str) -> Value {
    json_of(attr(body, key))
}

/// The argument of `jsonencode(...)`, as JSON.
fn jsonencoded(e: &Expression) -> Value {
    match e {
        Expression::FuncCall(f) if f.name.name.as_str() == "jsonencode" => json_of(&f.args[0]),
        other => panic!("expected jsonencode(...), got {other:?}"),
    }
}

fn locals(tf: &Body) -> impl Iterator<Item = &hcl::Attribute> {
    tf.blocks()
        .filter(|b| b.identifier() == "locals")
        .flat_map(|b| b.body().attributes())
}

fn local(tf: &Body, key: &str) -> Expression {
    locals(tf)
        .find(|a| a.key() == key)
        .unwrap_or_else(|| panic!("local.{key} missing"))
        .expr()
        .clone()
}

fn object_keys(e: &Expression) -> BTreeSet<String> {
    match e {
        Expression::Object(o) => o.keys().map(key_of).collect(),
        other => panic!("expected an object, got {other:?}"),
    }
}

fn variable_default(tf: &Body, name: &str) -> Value {
    let v = tf
        .blocks()
        .find(|b| b.identifier() == "variable" && label(b, 0) == name)
        .unwrap_or_else(|| panic!("variable {name} missing"));
    value(v.body(), "default")
}

/// What the service binary reads from its environment: every clap `env` of every subcommand, plus
/// the AWS SDK's region and OpenMP's thread limit (read by libgomp; the binary checks it at start).
fn service_env() -> BTreeSet<String> {
    fn walk(cmd: &clap::Command, out: &mut BTreeSet<String>) {
        for arg in cmd.get_arguments() {
            if let Some(env) = arg.get_env() {
                out.insert(env.to_string_lossy().into_owned());
            }
        }
        for sub in cmd.get_subcommands() {
            walk(sub, out);
        }
    }
    let mut names = BTreeSet::new();
    walk(&service::cli::Cli::command(), &mut names);
    names.insert("AWS_REGION".into());
    names.insert("OMP_THREAD_LIMIT".into());
    names
}

fn status_index_default() -> String {
    let cmd = service::cli::Cli::command();
    let arg = cmd
        .get_arguments()
        .find(|a| a.get_env().is_some_and(|e| e == "STATUS_INDEX_NAME"))
        .expect("the service reads STATUS_INDEX_NAME");
    arg.get_default_values()[0].to_string_lossy().into_owned()
}

#[test]
fn resource_names_are_the_design_names() {
    let tf = infra();
    assert_eq!(json_of(&local(&tf, "name")), json!("document-processor"));
    let names = [
        ("aws_ecs_cluster", "main", "document-processor-cluster"),
        ("aws_ecs_service", "service", "document-processor-service"),
        ("aws_lb", "main", "document-processor-alb"),
        ("aws_lb_target_group", "service", "document-processor-tg"),
        ("aws_ecr_repository", "service", "document-processor"),
        (
            "aws_dynamodb_table",
            "results",
            "document-processor-results",
        ),
        (
            "aws_cloudwatch_log_group",
            "service",
            "/ecs/document-processor",
        ),
        (
            "aws_cloudwatch_log_group",
            "trigger",
            "/aws/lambda/document-processor-dynamodb-trigger",
        ),
    ];
    for (kind, id, expected) in names {
        assert_eq!(
            value(resource(&tf, kind, id), "name"),
            json!(expected),
            "{kind}.{id}"
        );
    }
    let lambda = resource(&tf, "aws_lambda_function", "trigger");
    assert_eq!(
        value(lambda, "function_name"),
        json!("document-processor-dynamodb-trigger")
    );
    let bucket = value(resource(&tf, "aws_s3_bucket", "documents"), "bucket");
    assert!(
        bucket
            .as_str()
            .unwrap()
            .starts_with("document-processor-documents-"),
        "bucket name with the account suffix: {bucket}"
    );
    for (kind, id) in [
        ("aws_cloudwatch_log_group", "service"),
        ("aws_cloudwatch_log_group", "trigger"),
    ] {
        value(resource(&tf, kind, id), "retention_in_days");
    }
    let ecr = resource(&tf, "aws_ecr_repository", "service");
    assert_eq!(
        value(block(ecr, "image_scanning_configuration"), "scan_on_push"),
        json!(true)
    );
}

#[test]
fn health_check_and_service_shape() {
    let tf = infra();
    let tg = resource(&tf, "aws_lb_target_group", "service");
    assert_eq!(value(tg, "port"), json!(8080));
    let hc = block(tg, "health_check");
    assert_eq!(value(hc, "path"), json!("/health"));
    assert_eq!(value(hc, "interval"), json!(30));
    assert_eq!(value(hc, "timeout"), json!(5));
    assert_eq!(value(hc, "healthy_threshold"), json!(2));
    assert_eq!(value(hc, "unhealthy_threshold"), json!(2));

    let cluster = resource(&tf, "aws_ecs_cluster", "main");
    let setting = block(cluster, "setting");
    assert_eq!(value(setting, "name"), json!("containerInsights"));
    assert_eq!(value(setting, "value"), json!("enabled"));

    let service = resource(&tf, "aws_ecs_service", "service");
    let breaker = block(service, "deployment_circuit_breaker");
    assert_eq!(value(breaker, "enable"), json!(true));
    assert_eq!(value(breaker, "rollback"), json!(true));
    assert_eq!(
        value(block(service, "load_balancer"), "container_port"),
        json!(8080)
    );
    assert_eq!(variable_default(&tf, "task_cpu"), json!(256));
    assert_eq!(variable_default(&tf, "task_memory"), json!(512));

    let task = resource(&tf, "aws_ecs_task_definition", "service");
    let containers = jsonencoded(attr(task, "container_definitions"));
    let c = &containers[0];
    assert_eq!(c["stopTimeout"], json!(120));
    assert_eq!(c["readonlyRootFilesystem"], json!(true));
    assert_eq!(c["portMappings"][0]["containerPort"], json!(8080));
    assert_eq!(c["logConfiguration"]["logDriver"], json!("awslogs"));
    let policy = resource(&tf, "aws_appautoscaling_policy", "cpu");
    assert_eq!(value(policy, "policy_type"), json!("TargetTrackingScaling"));
}

#[test]
fn table_stream_and_the_sweep_index() {
    let tf = infra();
    let table = resource(&tf, "aws_dynamodb_table", "results");
    assert_eq!(value(table, "hash_key"), json!("id"));
    assert_eq!(value(table, "billing_mode"), json!("PAY_PER_REQUEST"));
    assert_eq!(value(table, "stream_enabled"), json!(true));
    assert_eq!(
        value(table, "stream_view_type"),
        json!("NEW_AND_OLD_IMAGES")
    );
    assert_eq!(
        value(block(table, "point_in_time_recovery"), "enabled"),
        json!(true)
    );
    assert_eq!(
        value(block(table, "server_side_encryption"), "enabled"),
        json!(true)
    );
    let gsi = block(table, "global_secondary_index");
    assert_eq!(
        value(gsi, "name"),
        json!(status_index_default()),
        "the index the service queries"
    );
    assert_eq!(value(gsi, "hash_key"), json!("status"));
    assert_eq!(
        value(gsi, "non_key_attributes"),
        json!(["lease_expires_at"])
    );
}

#[test]
fn lambda_and_its_stream_mapping() {
    let tf = infra();
    let lambda = resource(&tf, "aws_lambda_function", "trigger");
    assert_eq!(value(lambda, "runtime"), json!("provided.al2023"));
    assert_eq!(value(lambda, "handler"), json!("bootstrap"));
    assert_eq!(value(lambda, "timeout"), json!(60));
    assert_eq!(value(lambda, "memory_size"), json!(128));

    let mapping = resource(&tf, "aws_lambda_event_source_mapping", "stream");
    assert_eq!(
        value(mapping, "function_response_types"),
        json!(["ReportBatchItemFailures"])
    );
    assert_eq!(
        value(mapping, "bisect_batch_on_function_error"),
        json!(true)
    );
    value(mapping, "maximum_retry_attempts");
    value(mapping, "maximum_record_age_in_seconds");
    let pattern = jsonencoded(attr(
        block(block(mapping, "filter_criteria"), "filter"),
        "pattern",
    ));
    assert_eq!(
        pattern,
        json!({"eventName": ["INSERT"], "dynamodb": {"NewImage": {"status": {"S": ["pending"]}}}})
    );
    let on_failure = block(block(mapping, "destination_config"), "on_failure");
    assert_eq!(
        value(on_failure, "destination_arn"),
        json!("aws_sqs_queue.trigger_dlq.arn")
    );
}

#[test]
fn the_lambda_gets_exactly_the_variables_it_reads() {
    let tf = infra();
    let lambda = resource(&tf, "aws_lambda_function", "trigger");
    let given = object_keys(attr(block(lambda, "environment"), "variables"));
    let read: BTreeSet<String> = trigger::config::ENV_VARS
        .iter()
        .map(|s| s.to_string())
        .collect();
    let unknown: Vec<_> = given.difference(&read).collect();
    assert!(unknown.is_empty(), "the Lambda never reads {unknown:?}");
    assert!(
        given.contains("ECS_SERVICE_URL") && given.contains("API_KEY_PARAMETER"),
        "{given:?}"
    );
    assert!(
        !given.contains("API_KEY"),
        "the key is read from SSM at cold start, never in the environment in clear"
    );
}

#[test]
fn the_task_gets_only_variables_the_service_reads() {
    let tf = infra();
    let reads = service_env();
    let env = object_keys(&local(&tf, "service_environment"));
    let secrets = object_keys(&local(&tf, "service_secrets"));
    let given: BTreeSet<String> = env.union(&secrets).cloned().collect();
    let unknown: Vec<_> = given.difference(&reads).collect();
    assert!(
        unknown.is_empty(),
        "the task sets variables the service never reads: {unknown:?}"
    );
    for required in [
        "PORT",
        "DYNAMODB_TABLE_NAME",
        "STATUS_INDEX_NAME",
        "DOCUMENT_BUCKET",
        "API_KEY",
        "OMP_THREAD_LIMIT",
        "LOG_FORMAT",
        "AWS_REGION",
    ] {
        assert!(given.contains(required), "the task must set {required}");
    }
    assert!(
        secrets.contains("API_KEY") && !env.contains("API_KEY"),
        "API_KEY comes from SSM"
    );
    // The container really uses those two maps.
    let task = resource(&tf, "aws_ecs_task_definition", "service");
    let c = &jsonencoded(attr(task, "container_definitions"))[0];
    assert!(c["environment"]
        .as_str()
        .unwrap()
        .contains("local.service_environment"));
    assert!(c["secrets"]
        .as_str()
        .unwrap()
        .contains("local.service_secrets"));
    assert_eq!(
        json_of(&local(&tf, "service_environment"))["OMP_THREAD_LIMIT"],
        json!("1")
    );
}

#[test]
fn the_image_sets_only_variables_the_service_reads() {
    let dockerfile = std::fs::read_to_string(repo().join("docker/Dockerfile")).unwrap();
    let reads = service_env();
    // ENV spans continuation lines: KEY=VALUE pairs until the instruction ends.
    let mut names = Vec::new();
    let mut in_env = false;
    for line in dockerfile.lines() {
        let line = line.trim();
        if let Some(rest) = line.strip_prefix("ENV ") {
            in_env = true;
            names.extend(
                rest.split_whitespace()
                    .filter_map(|kv| kv.split_once('='))
                    .map(|(k, _)| k.to_string()),
            );
        } else if in_env {
            names.extend(
                line.split_whitespace()
                    .filter_map(|kv| kv.split_once('='))
                    .map(|(k, _)| k.to_string()),
            );
        }
        in_env = in_env && line.ends_with('\\');
    }
    assert!(names.contains(&"OMP_THREAD_LIMIT".to_string()), "{names:?}");
    for name in &names {
        assert!(
            reads.contains(name),
            "the image sets {name}, which the service never reads"
        );
    }
    assert!(dockerfile.contains("EXPOSE 8080"));
    assert!(dockerfile
        .lines()
        .any(|l| l.starts_with("USER ") && !l.contains("root")));
}

#[test]
fn outputs_the_scripts_read_exist() {
    let tf = infra();
    let outputs: BTreeSet<&str> = tf
        .blocks()
        .filter(|b| b.identifier() == "output")
        .map(|b| label(b, 0))
        .collect();
    for script in [
        "test-workflow.sh",
        "test-workflow.ps1",
        "deploy.sh",
        "deploy.ps1",
    ] {
        let Ok(text) = std::fs::read_to_string(repo().join(script)) else {
            panic!("{script} missing");
        };
        for name in [
            "api_url",
            "s3_bucket_name",
            "dynamodb_table_name",
            "ecr_repository_url",
        ] {
            assert!(outputs.contains(name), "output {name} missing");
            if script.starts_with("test-workflow") && name == "ecr_repository_url" {
                continue;
            }
            assert!(text.contains(name), "{script} does not read output {name}");
        }
    }
}

fn resources<'a>(tf: &'a Body, kind: &'a str) -> impl Iterator<Item = (&'a str, &'a Body)> {
    tf.blocks()
        .filter(move |b| b.identifier() == "resource" && label(b, 0) == kind)
        .map(|b| (label(b, 1), b.body()))
}

/// A resource's source text (for nested blocks the helpers above do not walk).
fn source(body: &Body) -> String {
    hcl::to_string(body).unwrap()
}

#[test]
fn the_lambda_reaches_the_service_inside_the_vpc_only() {
    let tf = infra();
    let alb = resource(&tf, "aws_lb", "main");
    assert_eq!(value(alb, "internal"), json!(true), "the ALB is internal");
    assert_eq!(value(alb, "subnets"), json!("aws_subnet.private[*].id"));
    let lambda = resource(&tf, "aws_lambda_function", "trigger");
    let vpc = block(lambda, "vpc_config");
    assert_eq!(value(vpc, "subnet_ids"), json!("aws_subnet.private[*].id"));
    assert_eq!(
        value(vpc, "security_group_ids"),
        json!(["aws_security_group.lambda.id"])
    );
    let env = json_of(attr(block(lambda, "environment"), "variables"));
    assert_eq!(
        env["ECS_SERVICE_URL"],
        json!("http://${aws_lb.main.dns_name}")
    );
    // What the handler calls besides the ALB: SSM, through an interface endpoint (no NAT gateway).
    assert!(tf
        .blocks()
        .all(|b| !(b.identifier() == "resource" && label(b, 0) == "aws_nat_gateway")));
    let ssm = resource(&tf, "aws_vpc_endpoint", "ssm");
    assert_eq!(value(ssm, "vpc_endpoint_type"), json!("Interface"));
    assert_eq!(value(ssm, "private_dns_enabled"), json!(true));
}

#[test]
fn clients_reach_the_internal_alb_through_api_gateway_only() {
    let tf = infra();
    let integration = resource(&tf, "aws_apigatewayv2_integration", "alb");
    assert_eq!(value(integration, "connection_type"), json!("VPC_LINK"));
    assert_eq!(
        value(integration, "connection_id"),
        json!("aws_apigatewayv2_vpc_link.alb.id")
    );
    assert_eq!(
        value(integration, "integration_uri"),
        json!("aws_lb_listener.http.arn"),
        "the integration targets the ALB's listener"
    );
    let params = json_of(attr(integration, "request_parameters"));
    assert_eq!(
        params["overwrite:header.x-client-ip"],
        json!("$context.identity.sourceIp"),
        "API Gateway sets the client address header the service checks"
    );
    assert_eq!(
        service::auth::CLIENT_IP_HEADER,
        "x-client-ip",
        "the header the service reads"
    );
    let api = resource(&tf, "aws_apigatewayv2_api", "public");
    assert_eq!(value(api, "protocol_type"), json!("HTTP"));
    // No rule admits the whole internet, and the ALB admits the VPC link and the Lambda only.
    for (name, rule) in resources(&tf, "aws_vpc_security_group_ingress_rule") {
        let text = source(rule);
        assert!(
            !text.contains("0.0.0.0/0") && !text.contains("::/0"),
            "{name} admits the internet"
        );
        if value(rule, "security_group_id") == json!("aws_security_group.alb.id") {
            let from = value(rule, "referenced_security_group_id");
            assert!(
                from == json!("aws_security_group.vpc_link.id")
                    || from == json!("aws_security_group.lambda.id"),
                "{name}: the ALB admits {from}"
            );
        }
        if value(rule, "security_group_id") == json!("aws_security_group.tasks.id") {
            assert_eq!(
                value(rule, "referenced_security_group_id"),
                json!("aws_security_group.alb.id"),
                "{name}: the tasks admit the ALB only"
            );
        }
    }
}

#[test]
fn scaling_follows_the_backlog_the_service_publishes() {
    let tf = infra();
    let policy = resource(&tf, "aws_appautoscaling_policy", "backlog");
    assert_eq!(value(policy, "policy_type"), json!("TargetTrackingScaling"));
    let text = source(policy);
    for name in service::metrics::NAMES {
        assert!(
            text.contains(&format!("name = \"{name}\"")),
            "the backlog policy reads the service's metric {name}"
        );
    }
    assert!(text.contains("metric_name = metrics.value.name"));
    assert!(text.contains("namespace = local.metrics_namespace"));
    assert_eq!(
        json_of(&local(&tf, "metrics_namespace")),
        json!(service::metrics::NAMESPACE)
    );
    let (dimension, value_) = service::metrics::DIMENSION;
    assert!(text.contains(&format!("name = \"{dimension}\"")));
    assert_eq!(
        value_, "document-processor",
        "the dimension value is local.name"
    );
    assert!(text.contains("return_data = true"));
    // CPU stays as a second policy.
    let cpu = resource(&tf, "aws_appautoscaling_policy", "cpu");
    assert_eq!(value(cpu, "policy_type"), json!("TargetTrackingScaling"));
    // The task turns the metrics on.
    assert_eq!(
        json_of(&local(&tf, "service_environment"))["METRICS_INTERVAL_SECS"],
        json!("60")
    );
}

#[test]
fn least_privilege_and_a_pinned_image() {
    for entry in std::fs::read_dir(repo().join("infra")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "tf") {
            let text = std::fs::read_to_string(&path).unwrap();
            assert!(
                !text.contains("dynamodb:PutItem"),
                "{}: the service never puts a whole item",
                path.display()
            );
        }
    }
    let dockerfile = std::fs::read_to_string(repo().join("docker/Dockerfile")).unwrap();
    let froms: Vec<&str> = dockerfile
        .lines()
        .filter(|l| l.starts_with("FROM "))
        .collect();
    for from in &froms {
        let image = from.split_whitespace().nth(1).unwrap();
        let is_stage = froms.iter().any(|f| f.ends_with(&format!(" AS {image}")));
        assert!(
            is_stage || image.contains("@sha256:"),
            "{from}: base images are pinned by digest"
        );
    }
    let runtime = dockerfile.rsplit("\nFROM ").next().unwrap();
    assert!(!runtime.contains("curl"), "no curl in the runtime image");
    assert!(runtime.contains("HEALTHCHECK"));
}

#[test]
fn state_and_secrets_stay_out_of_git() {
    let ignore = std::fs::read_to_string(repo().join(".gitignore")).unwrap();
    for pattern in [
        "/infra/.terraform/",
        "/infra/*.tfstate",
        "/infra/*.tfstate.*",
        "/infra/terraform.tfvars",
        "/infra/backend.hcl",
    ] {
        assert!(
            ignore.lines().any(|l| l == pattern),
            "{pattern} not ignored"
        );
    }
    let example = std::fs::read_to_string(repo().join("infra/backend.hcl.example")).unwrap();
    assert!(
        example.contains("use_lockfile = true"),
        "remote state is locked"
    );
    let backend = std::fs::read_to_string(repo().join("infra/backend.tf.example")).unwrap();
    assert!(backend.contains("backend \"s3\""));
}

#[test]
fn deploy_plan_without_aws_stops_at_the_preflight_with_the_list() {
    // The system's own folders on PATH and no credentials: the deployment tools that live elsewhere
    // (aws, terraform, cargo) are missing. deploy.sh must list each, with what to do, and stop.
    let path = "/usr/bin:/bin";
    let out = std::process::Command::new("/bin/bash")
        .arg(repo().join("deploy.sh"))
        .arg("--plan")
        .env_clear()
        .env("PATH", path)
        .env("HOME", std::env::temp_dir())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    assert!(stderr.contains("prerequisite(s) missing"), "{stderr}");
    let on_path = |tool: &str| {
        path.split(':')
            .any(|d| std::path::Path::new(d).join(tool).exists())
    };
    let mut missing = 0;
    for (tool, line) in [
        ("aws", "aws CLI not found: https://"),
        ("terraform", "terraform (>= 1.10) not found: https://"),
        ("cargo", "cargo not found: install Rust"),
        ("jq", "jq not found: apt-get install jq"),
    ] {
        if !on_path(tool) {
            missing += 1;
            assert!(stderr.contains(line), "{tool} not listed:\n{stderr}");
        }
    }
    assert!(
        missing > 0,
        "nothing was missing on {path}: the test proves nothing here"
    );
    assert!(
        !stdout.contains("terraform init"),
        "it went past the preflight:\n{stdout}"
    );
}

#[test]
fn document_text_reaches_the_terminal_without_control_characters() {
    use std::io::Write;
    let mut child = std::process::Command::new(repo().join("scripts/terminal-safe.sh"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // An OSC title change, a colour, a bell, a C1 CSI, a NUL: none may pass; tabs, newlines and
    // other text (accents included) do.
    child
        .stdin
        .take()
        .unwrap()
        .write_all("a\u{1b}]0;owned\u{7}b\u{1b}[31mc\u{9b}2Jd\0e\tf é\n".as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "a]0;ownedb[31mc2Jde\tf é\n"
    );
}
