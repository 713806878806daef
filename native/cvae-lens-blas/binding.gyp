{
  "targets": [
    {
      "target_name": "cvae_blas",
      "sources": ["sgemm.c"],
      "cflags": ["-O2", "-Wall"],
      "conditions": [
        ["OS=='mac'", { "libraries": ["-framework Accelerate"] }],
        ["OS!='mac'", { "libraries": ["<!(node blas-flags.js)", "-ldl"] }]
      ]
    }
  ]
}
