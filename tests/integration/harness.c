/* harness */
typedef int harness_placeholder;
