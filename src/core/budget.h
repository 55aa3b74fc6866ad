/*
 * Internal: the retry budget's rule for spending, shared by the retry
 * policy (policy.c) and hedging (hedge.c), so that a hedge pays exactly what
 * a retry would and the two cannot drift apart.
 */
#ifndef APIERR_CORE_BUDGET_H
#define APIERR_CORE_BUDGET_H

#include "apierr/policy.h"

/*
 * Takes what a retry after a failure of category cat costs under policy p
 * (a current-layout policy, as apierr__policy_view() gives): grpc takes
 * nothing here (its charge is per failure) and pays while tokens > max/2;
 * aws takes budget_retry_cost (budget_timeout_cost after a timeout). 1 when
 * paid, 0 when the budget cannot pay (nothing taken).
 */
int apierr__budget_take(apierr_budget *b, const apierr_policy *p, apierr_category cat);

#endif
