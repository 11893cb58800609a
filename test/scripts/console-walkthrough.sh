#!/usr/bin/env bash
# The course's console walkthrough as a shell script: each step is its own albctl command, run
# one after another, each reading what it needs from the state the earlier ones wrote.
# Needs: ALBCTL (the albctl binary) and the usual AWS environment (here: moto's endpoint).
set -euo pipefail
albctl() { "${ALBCTL:-albctl}" "$@"; }

albctl alb                                   # security groups, the ALB, HTTP:80
albctl target-group                          # instance targets, HTTP:8080, HTTP1, /status
albctl cert --upload                         # private.pem, public.pem, certificate.csr, certificate.crt → IAM
albctl https                                 # HTTPS:443 with the IAM certificate, TLS 1.3 policy
albctl sticky --duration 1d                  # AWSALB cookie, one day
albctl launch-template                       # AL2023, t3.micro, IMDSv2, the sample web server
albctl asg --policy request-count:100        # min 0, max 4, desired 0, target tracking
albctl instances --count 2                   # two instances from the template, registered
