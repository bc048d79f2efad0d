import dev.stamp.jenkins.Deploy

/**
 * immutableDeploy(app: 'shop', controller: 'https://stamp.example', credentialsId: 'stamp-token',
 *                 revision: env.GIT_COMMIT, wait: true, timeoutMinutes: 15, rollbackOnFailure: true)
 * immutableDeploy.plan(app: 'shop', revision: env.GIT_COMMIT)
 * immutableDeploy.rollback(app: 'shop', to: 41)
 *
 * See immutableDeploy.txt (Pipeline Syntax > Global Variables Reference) for every parameter.
 */
def call(Map args = [:]) {
  return new Deploy(this).deploy(args)
}

def plan(Map args = [:]) {
  return new Deploy(this).plan(args)
}

def rollback(Map args = [:]) {
  return new Deploy(this).rollback(args)
}
